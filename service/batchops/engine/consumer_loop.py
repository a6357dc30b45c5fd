"""A consumer thread: take a batch, hand it over, commit only after the work is durable.

If handling a batch fails (e.g. the database is unreachable) nothing is committed and the
consumer rewinds to the batch's first offsets, so the same records come again after a pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from confluent_kafka import Consumer, KafkaError, Message, TopicPartition

from batchops.logs import log_context

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Message]], None]


class Interrupted(Exception):
    """Raised by a handler that gave up a batch because its engine is stopping. Nothing of the
    batch is committed; its work is idempotent, so whoever gets the records next redoes it."""


class ConsumerLoop:
    def __init__(
        self,
        name: str,
        consumer_factory: Callable[[], Consumer],
        topic: str,
        handle_batch: BatchHandler,
        *,
        batch_size: int,
        tenant_id: str,
        poll_timeout: float = 0.2,
        retry_backoff: float = 1.0,
    ) -> None:
        self.name = name
        self._factory = consumer_factory
        self._topic = topic
        self._handle = handle_batch
        self._batch_size = batch_size
        self._tenant = tenant_id
        self._poll_timeout = poll_timeout
        self._backoff = retry_backoff
        self._stop = threading.Event()
        self._assigned = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"{name}-{tenant_id}", daemon=True)
        self.failures = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def wait_assigned(self, timeout: float) -> bool:
        return self._assigned.wait(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        with log_context(tenant=self._tenant, stage=self.name):
            consumer = self._factory()
            try:
                consumer.subscribe([self._topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
                while not self._stop.is_set():
                    self._poll_once(consumer)
            except Exception:
                log.exception("consumer loop crashed")
            finally:
                consumer.close()  # leaves the group at once, so partitions move without waiting

    def _on_assign(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions assigned: %s", sorted(p.partition for p in partitions))
        self._assigned.set()

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # Batches are handled and committed inside poll's caller, so nothing is in flight here.
        log.info("partitions revoked: %s", sorted(p.partition for p in partitions))

    def _poll_once(self, consumer: Consumer) -> None:
        # Wait for the first record only, then take what is already fetched: an idle pipeline
        # reacts at once, a busy one still gets full batches.
        first = consumer.poll(self._poll_timeout)
        if first is None:
            return
        messages = [first, *consumer.consume(self._batch_size - 1, 0)] if self._batch_size > 1 else [first]
        records = []
        for message in messages:
            error = message.error()
            if error is None:
                records.append(message)
            elif error.code() != KafkaError._PARTITION_EOF:
                log.warning("consumer error: %s", error)
        if not records:
            return
        try:
            self._handle(records)
        except Interrupted:
            log.info("batch interrupted by shutdown; left uncommitted")
            self._rewind(consumer, records)
            return
        except Exception:
            self.failures += 1
            log.exception("batch handling failed; will retry the same records")
            self._rewind(consumer, records)
            self._stop.wait(self._backoff)
            return
        consumer.commit(offsets=_next_offsets(records), asynchronous=False)

    @staticmethod
    def _rewind(consumer: Consumer, records: Sequence[Message]) -> None:
        firsts: dict[tuple[str, int], int] = {}
        for record in records:
            topic, partition, offset = position(record)
            firsts[(topic, partition)] = min(firsts.get((topic, partition), offset), offset)
        for (topic, partition), offset in firsts.items():
            try:
                consumer.seek(TopicPartition(topic, partition, offset))
            except Exception:
                log.warning(
                    "could not rewind %s[%d]; the group's committed offset will be used", topic, partition
                )


def _next_offsets(records: Sequence[Message]) -> list[TopicPartition]:
    last: dict[tuple[str, int], int] = {}
    for record in records:
        topic, partition, offset = position(record)
        last[(topic, partition)] = max(last.get((topic, partition), -1), offset)
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()]


def position(record: Message) -> tuple[str, int, int]:
    """Topic, partition and offset of a consumed record (always set on consumed records)."""
    topic, partition, offset = record.topic(), record.partition(), record.offset()
    assert topic is not None and partition is not None and offset is not None
    return topic, partition, offset
