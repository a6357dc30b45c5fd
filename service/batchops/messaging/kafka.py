"""Thin wrappers over confluent-kafka: client configuration, topic creation, a producer whose
sends are confirmed, and consumer construction with settings that suit our brokers."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicCollection
from confluent_kafka.admin import (  # type: ignore[attr-defined]  # exported, not in __all__
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
)
from confluent_kafka.cimpl import NewTopic

from batchops.config import PROTECTED_KAFKA_PROPERTIES, ConfigurationError
from batchops.errors import BatchopsError, ErrorKind
from batchops.messaging.limits import MAX_MESSAGE_BYTES
from batchops.messaging.offset_commits import CommitCallback
from batchops.messaging.producer_health import ProducerHealth

log = logging.getLogger(__name__)

# Errors that mean a record can never be written as it is (retrying cannot help).
_TOO_LARGE = frozenset({KafkaError.MSG_SIZE_TOO_LARGE, KafkaError.RECORD_LIST_TOO_LARGE})


@dataclass(frozen=True)
class KafkaConfig:
    bootstrap_servers: str
    overrides: Mapping[str, str] = field(default_factory=dict)
    # A crashed instance's partitions move to the others after ~10 s instead of librdkafka's 45 s;
    # heartbeats come from librdkafka's own thread, so a busy interpreter does not miss them.
    session_timeout_ms: int = 10_000
    heartbeat_interval_ms: int = 1_000
    max_poll_interval_ms: int = 300_000

    def __post_init__(self) -> None:
        refused = sorted(PROTECTED_KAFKA_PROPERTIES & set(self.overrides))
        if refused:
            raise ConfigurationError(
                f"invalid configuration:\n  BATCHOPS_KAFKA_OVERRIDES: {', '.join(refused)} cannot be "
                "overridden (offset commits and confirmed sends depend on them)"
            )

    def base(self) -> dict[str, str | int | float | bool]:
        return {"bootstrap.servers": self.bootstrap_servers, **self.overrides}

    def with_defaults(
        self, defaults: Mapping[str, str | int | float | bool]
    ) -> dict[str, str | int | float | bool]:
        """Our settings for a client, under the operator's overrides (they win)."""
        return {**defaults, **self.base()}


_FLUSH_BYTES = 4 * 1024 * 1024


class PublishError(BatchopsError):
    """Records could not be confirmed as written (after the producer's own retries).

    ``too_large``: the record exceeds what the producer or the topic accepts."""

    kind = ErrorKind.UNAVAILABLE

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


ProducerFactory = Callable[[dict[str, Any]], Producer]


class ConfirmedProducer:
    """An idempotent producer (acks=all) whose ``send_all`` returns only once every record is
    acknowledged, raising if any was not.

    A producer that can no longer deliver (fatal error, lost or fenced producer id, sends that
    keep timing out) is replaced by a new one; the send that found out still fails (callers
    retry: the consumers rewind, recovery sweeps again), and ``send_one`` retries once itself."""

    def __init__(self, config: KafkaConfig, client_id: str, factory: ProducerFactory = Producer) -> None:
        self._settings: dict[str, Any] = producer_settings(config, client_id)
        self._factory = factory
        self._health = ProducerHealth()
        self._lock = threading.Lock()
        self._producer = self._new_producer()
        self.rebuilds = 0

    def _new_producer(self) -> Producer:
        return self._factory({**self._settings, "error_cb": self._on_error})

    def _on_error(self, error: KafkaError) -> None:
        # Runs inside poll/flush, i.e. under the lock.
        if error.fatal():
            log.error("Kafka producer fatal error: %s", error)
            self._health.fatal(error)

    def _settle(self, errors: Sequence[KafkaError], unconfirmed: int, topic: str) -> bool:
        """After a send (under the lock): replace the producer if it is wedged. True if replaced."""
        if not self._health.observe(errors, unconfirmed, topic):
            return False
        log.warning("replacing the Kafka producer: %s", self._health.reason)
        old, self._producer = self._producer, self._new_producer()
        self._health.reset()
        self.rebuilds += 1
        try:
            # What it still holds was already reported as failed: drop it, do not wait for it.
            old.purge()
            old.flush(0)
        except Exception:  # the old handle is garbage either way
            log.debug("discarding the old producer failed", exc_info=True)
        return True

    def send_all(
        self, topic: str, records: Iterable[tuple[str | bytes, bytes]], timeout: float = 60.0
    ) -> int:
        errors: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _message: object) -> None:
            if error is not None:
                errors.append(error)

        sent = pending_bytes = 0
        with self._lock:
            for key, value in records:
                while True:
                    try:
                        self._producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
                        break
                    except BufferError:
                        self._producer.poll(0.05)  # local queue full: let deliveries drain
                    except KafkaException as exc:  # refused before sending (e.g. too large)
                        error: KafkaError = exc.args[0]
                        remaining = self._producer.flush(timeout)
                        self._settle([*errors, error], remaining, topic)
                        raise PublishError(
                            f"record to {topic} refused: {error}", too_large=error.code() in _TOO_LARGE
                        ) from None
                sent += 1
                pending_bytes += len(value)
                if pending_bytes > _FLUSH_BYTES:
                    # Bound what waits in librdkafka's queue (large chunk records add up fast).
                    self._producer.flush(timeout)
                    pending_bytes = 0
                elif sent % 10_000 == 0:
                    self._producer.poll(0)
            remaining = self._producer.flush(timeout)
            self._settle(errors, remaining, topic)
        if remaining:
            raise PublishError(f"{remaining} record(s) to {topic} not confirmed within {timeout:.0f}s")
        if errors:
            raise PublishError(f"{len(errors)} record(s) to {topic} failed: {errors[0]}")
        return sent

    def send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        for attempt in (1, 2):
            errors, remaining, replaced = self._send_one(topic, key, value, headers)
            if not errors and not remaining:
                return
            if not replaced or attempt == 2:
                break
        if remaining and not errors:
            raise PublishError(f"record to {topic} not confirmed: timeout")
        raise PublishError(
            f"record to {topic} not confirmed: {errors[0]}", too_large=errors[0].code() in _TOO_LARGE
        )

    def _send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None
    ) -> tuple[list[KafkaError], int, bool]:
        errors: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _message: object) -> None:
            if error is not None:
                errors.append(error)

        remaining = 0
        with self._lock:
            try:
                self._producer.produce(
                    topic,
                    value=value,
                    key=key,
                    headers=list((headers or {}).items()),
                    on_delivery=on_delivery,
                )
            except KafkaException as exc:  # refused before sending (e.g. larger than message.max.bytes)
                errors.append(exc.args[0])
            else:
                remaining = self._producer.flush(30)
            return errors, remaining, self._settle(errors, remaining, topic)

    def close(self, timeout: float = 30.0) -> None:
        with self._lock:
            self._producer.flush(timeout)


# Added partitions and re-created topics are noticed within seconds (librdkafka's default is 5 min);
# the cost is one small metadata request per client every 10 s.
METADATA_REFRESH_MS = 10_000


def producer_settings(config: KafkaConfig, client_id: str) -> dict[str, str | int | float | bool]:
    settings = config.with_defaults(
        {
            "client.id": client_id,
            "linger.ms": 5,
            "compression.type": "none",
            "queue.buffering.max.messages": 200_000,
            "message.timeout.ms": 60_000,
            # Kafka's default (1 MB) is below what an operations record may carry.
            "message.max.bytes": MAX_MESSAGE_BYTES,
            "topic.metadata.refresh.interval.ms": METADATA_REFRESH_MS,
        }
    )
    settings.update({"enable.idempotence": True, "acks": "all"})
    return settings


def make_consumer(
    config: KafkaConfig,
    group_id: str,
    client_id: str,
    on_commit: CommitCallback | None = None,
) -> Consumer:
    """A consumer with our settings; ``on_commit`` receives the results of asynchronous commits
    (see ``messaging.offset_commits``)."""
    settings: dict[str, Any] = dict(consumer_settings(config, group_id, client_id))
    if on_commit is not None:
        settings["on_commit"] = on_commit
    return Consumer(settings)


def consumer_settings(
    config: KafkaConfig, group_id: str, client_id: str
) -> dict[str, str | int | float | bool]:
    settings = config.with_defaults(
        {
            "client.id": client_id,
            "topic.metadata.refresh.interval.ms": METADATA_REFRESH_MS,
            "session.timeout.ms": config.session_timeout_ms,
            "heartbeat.interval.ms": config.heartbeat_interval_ms,
            "max.poll.interval.ms": config.max_poll_interval_ms,
            "enable.partition.eof": False,
            # How long the broker holds a fetch that finds nothing new (records end it at once):
            # an idle consumer asks twice a second (at 100 ms, ten times: 5-7 ms of the idle
            # service's CPU a second, against 2.3). A seek or a resume takes effect only once the
            # fetch in flight returns; a held batch pauses only once it carries the next batch
            # (``engine.consumer_loop``), which runs meanwhile.
            "fetch.wait.max.ms": 500,
            # librdkafka prefetches up to 64 MiB per consumer (and fetches up to 50 MiB at once)
            # by default; small caps keep memory flat however large the backlog (we take batches
            # of a few hundred ~100-byte records; 2 MiB is still seconds of work). A larger record
            # is still fetched whole: brokers return the first record batch whatever these caps.
            "queued.max.messages.kbytes": 2048,
            "fetch.max.bytes": 1_048_576,
            "max.partition.fetch.bytes": 262_144,
        }
    )
    # Not overridable: offsets are committed by hand after the work is durable, and a group that
    # has committed nothing yet (a new tenant, partitions just added) must still see the records
    # published before it joined.
    settings.update({"group.id": group_id, "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    return settings


def ensure_topics(config: KafkaConfig, topics: Sequence[str], partitions: int, replication: int) -> list[str]:
    """Create the topics that do not exist yet (accepting records up to ``MAX_MESSAGE_BYTES``);
    existing ones keep their layout, and their record limit is raised if it is lower. Returns
    the topics this call created."""
    admin = AdminClient(config.base())
    missing = _missing_topics(admin, topics)
    _raise_record_limit(admin, [name for name in topics if name not in missing])
    if not missing:
        return []
    futures = admin.create_topics(
        [
            NewTopic(
                name,
                num_partitions=partitions,
                replication_factor=replication,
                config={"max.message.bytes": str(MAX_MESSAGE_BYTES)},
            )
            for name in missing
        ],
        operation_timeout=15,
        request_timeout=15,
    )
    created = []
    for name, future in futures.items():
        try:
            future.result()
            log.info("topic created", extra={"topic": name, "partitions": partitions})
            created.append(name)
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return created


def _missing_topics(admin: AdminClient, topics: Sequence[str]) -> list[str]:
    """Those of ``topics`` the cluster does not have. Asks for these topics only: listing every
    topic of a shared cluster (thousands, on a multitenant one) cost each recovery sweep tens of
    milliseconds of CPU."""
    if not topics:
        return []
    missing: set[str] = set()
    for name, future in admin.describe_topics(TopicCollection(list(topics)), request_timeout=15).items():
        try:
            future.result()
        except KafkaException as exc:
            if exc.args[0].code() != KafkaError.UNKNOWN_TOPIC_OR_PART:
                raise
            missing.add(name)
    return [name for name in topics if name in missing]


def _raise_record_limit(admin: AdminClient, topics: Sequence[str]) -> None:
    """Topics created before the limit was set (or by someone else) get ``max.message.bytes``
    raised to ours; a broker that refuses (e.g. no ALTER_CONFIGS permission) is only logged."""
    if not topics:
        return
    try:
        described = admin.describe_configs([ConfigResource("topic", name) for name in topics])
        low = []
        for resource, future in described.items():
            entry = future.result(timeout=15).get("max.message.bytes")
            if entry is not None and int(entry.value) < MAX_MESSAGE_BYTES:
                low.append(resource.name)
        if not low:
            return
        altered = admin.incremental_alter_configs(
            [
                ConfigResource(
                    "topic",
                    name,
                    incremental_configs=[
                        ConfigEntry(
                            "max.message.bytes",
                            str(MAX_MESSAGE_BYTES),
                            incremental_operation=AlterConfigOpType.SET,
                        )
                    ],
                )
                for name in low
            ]
        )
        for resource, future in altered.items():
            future.result(timeout=15)
            log.info("raised max.message.bytes of an existing topic", extra={"topic": resource.name})
    except (KafkaException, ValueError) as exc:
        log.warning("could not raise max.message.bytes of existing topics: %s", exc)
