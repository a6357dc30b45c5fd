"""Thin wrappers over confluent-kafka: client configuration, topic creation, a producer whose
sends are confirmed, and consumer construction with settings that suit our brokers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap_servers: str
    overrides: Mapping[str, str] = field(default_factory=dict)
    # A crashed instance's partitions move to the others after ~10 s instead of librdkafka's 45 s;
    # heartbeats come from librdkafka's own thread, so a busy interpreter does not miss them.
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 1_000
    max_poll_interval_ms: int = 300_000

    def base(self) -> dict[str, str | int | float | bool]:
        return {"bootstrap.servers": self.bootstrap_servers, **self.overrides}


_FLUSH_BYTES = 4 * 1024 * 1024


class PublishError(Exception):
    """Records could not be confirmed as written (after the producer's own retries)."""


class ConfirmedProducer:
    """An idempotent producer (acks=all) whose ``send_all`` returns only once every record is
    acknowledged, raising if any was not."""

    def __init__(self, config: KafkaConfig, client_id: str) -> None:
        settings = {
            **config.base(),
            "client.id": client_id,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "none",
            "queue.buffering.max.messages": 200_000,
            "message.timeout.ms": 60_000,
        }
        self._producer = Producer(settings)
        self._lock = threading.Lock()

    def send_all(
        self, topic: str, records: Iterable[tuple[str | bytes, bytes]], timeout: float = 60.0
    ) -> int:
        errors: list[str] = []

        def on_delivery(error: KafkaError | None, _message: object) -> None:
            if error is not None:
                errors.append(str(error))

        sent = pending_bytes = 0
        with self._lock:
            for key, value in records:
                while True:
                    try:
                        self._producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
                        break
                    except BufferError:
                        self._producer.poll(0.05)  # local queue full: let deliveries drain
                sent += 1
                pending_bytes += len(value)
                if pending_bytes > _FLUSH_BYTES:
                    # Bound what waits in librdkafka's queue (large chunk records add up fast).
                    self._producer.flush(timeout)
                    pending_bytes = 0
                elif sent % 10_000 == 0:
                    self._producer.poll(0)
            remaining = self._producer.flush(timeout)
        if remaining:
            raise PublishError(f"{remaining} record(s) to {topic} not confirmed within {timeout:.0f}s")
        if errors:
            raise PublishError(f"{len(errors)} record(s) to {topic} failed: {errors[0]}")
        return sent

    def send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        errors: list[str] = []

        def on_delivery(error: KafkaError | None, _message: object) -> None:
            if error is not None:
                errors.append(str(error))

        with self._lock:
            self._producer.produce(
                topic, value=value, key=key, headers=list((headers or {}).items()), on_delivery=on_delivery
            )
            remaining = self._producer.flush(30)
        if remaining or errors:
            raise PublishError(f"record to {topic} not confirmed: {errors[0] if errors else 'timeout'}")

    def close(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._producer.flush(timeout)


def make_consumer(config: KafkaConfig, group_id: str, client_id: str) -> Consumer:
    return Consumer(
        {
            **config.base(),
            "group.id": group_id,
            "client.id": client_id,
            "enable.auto.commit": False,
            # A group that has committed nothing yet (a new tenant, partitions just added) must
            # still see the records published before it joined.
            "auto.offset.reset": "earliest",
            "session.timeout.ms": config.session_timeout_ms,
            "heartbeat.interval.ms": config.heartbeat_interval_ms,
            "max.poll.interval.ms": config.max_poll_interval_ms,
            "enable.partition.eof": False,
            # librdkafka prefetches up to 64 MiB per consumer (and fetches up to 50 MiB at once)
            # by default; small caps keep memory flat however large the backlog (we take batches
            # of a few hundred ~100-byte records; 2 MiB is still seconds of work).
            "queued.max.messages.kbytes": 2048,
            "fetch.max.bytes": 1_048_576,
            "max.partition.fetch.bytes": 262_144,
        }
    )


def ensure_topics(config: KafkaConfig, topics: Sequence[str], partitions: int, replication: int) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AdminClient(config.base())
    existing = set(admin.list_topics(timeout=15).topics)
    missing = [name for name in topics if name not in existing]
    if not missing:
        return
    futures = admin.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=replication) for name in missing],
        operation_timeout=15,
        request_timeout=15,
    )
    for name, future in futures.items():
        try:
            future.result()
            log.info("topic created", extra={"topic": name, "partitions": partitions})
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
