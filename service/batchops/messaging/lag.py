"""Consumer lag: how many records of a topic the consumer group has not processed yet.

Lag is measured from the group's committed offsets (we commit only after a batch's work is
durable, so a committed offset means "processed") against each partition's end offset. A
partition the group never committed counts from its first retained record, as our consumers
start there (``auto.offset.reset=earliest``). The figure is group-wide: every instance of the
group reports the same number.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from confluent_kafka import ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec  # type: ignore[attr-defined]

from batchops.errors import BatchopsError, ErrorKind
from batchops.messaging.kafka import KafkaConfig
from batchops.messaging.topics import ELEMENTS_LABEL, OPERATIONS_LABEL, TenantTopics

# librdkafka's "no committed offset" value (OFFSET_INVALID).
NO_OFFSET = -1001


class LagUnavailable(BatchopsError):
    """The broker did not answer the lag queries (down, or the topic is missing)."""

    kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class GroupTopic:
    group: str
    topic: str


def tenant_lag_targets(topics: TenantTopics) -> dict[str, GroupTopic]:
    """The two consumed topics of a tenant with their consumer groups, by label."""
    return {
        OPERATIONS_LABEL: GroupTopic(topics.operation_group, topics.operations),
        ELEMENTS_LABEL: GroupTopic(topics.element_group, topics.elements),
    }


def measure_lag(admin: AdminClient, target: GroupTopic, timeout: float = 5.0) -> int:
    """Records of ``target.topic`` not yet committed by ``target.group``, over all partitions."""
    return sum(partition_lags(admin, target, timeout).values())


def partition_lags(admin: AdminClient, target: GroupTopic, timeout: float = 5.0) -> dict[int, int]:
    """Per partition of ``target.topic``, its records not yet committed by ``target.group``."""
    try:
        metadata = admin.list_topics(target.topic, timeout=timeout)
        topic = metadata.topics.get(target.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise LagUnavailable(
                f"topic {target.topic} is not available: {topic.error if topic else 'missing'}"
            )
        partitions = [TopicPartition(target.topic, number) for number in sorted(topic.partitions)]
        committed_future = admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(target.group, partitions)], request_timeout=timeout
        )[target.group]
        latest, earliest = OffsetSpec.latest(), OffsetSpec.earliest()  # type: ignore[no-untyped-call]
        ends = admin.list_offsets(
            {TopicPartition(target.topic, p.partition): latest for p in partitions}, request_timeout=timeout
        )
        starts = admin.list_offsets(
            {TopicPartition(target.topic, p.partition): earliest for p in partitions}, request_timeout=timeout
        )
        committed = {
            tp.partition: tp.offset for tp in committed_future.result(timeout=timeout).topic_partitions
        }
        end = {tp.partition: future.result(timeout=timeout).offset for tp, future in ends.items()}
        start = {tp.partition: future.result(timeout=timeout).offset for tp, future in starts.items()}
    except (KafkaException, TimeoutError, ValueError) as exc:
        raise LagUnavailable(f"lag of {target.group} on {target.topic}: {exc}") from exc
    return {p: _partition_lag(committed.get(p, NO_OFFSET), start[p], end[p]) for p in end}


def group_members(admin: AdminClient, group: str, timeout: float = 5.0) -> int:
    """How many consumers are members of ``group`` now (0 when none is polling: crashed, stopped
    or restarting members leave the group)."""
    try:
        description = admin.describe_consumer_groups([group], request_timeout=timeout)[group].result(timeout)
    except (KafkaException, TimeoutError, ValueError) as exc:
        raise LagUnavailable(f"members of {group}: {exc}") from exc
    return len(description.members)


def _partition_lag(committed: int, start: int, end: int) -> int:
    position = committed if committed >= 0 else start
    # Retention may have removed records below a stale commit: those are not waiting any more.
    return max(0, end - max(position, start))


class LagGauge:
    """Lag of a few (group, topic) pairs, refreshed at most every ``min_interval`` seconds.

    ``read()`` is called at scrape time; a query that fails leaves that topic out of the result
    (the gauge then has no sample rather than a stale or made-up one).
    """

    def __init__(
        self,
        config: KafkaConfig,
        targets: Mapping[str, GroupTopic],
        *,
        min_interval: float = 1.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._admin = AdminClient({**config.base(), "log_level": 3})
        self._targets = dict(targets)
        self._min_interval = min_interval
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._last: dict[str, int] = {}
        self._read_at: float | None = None

    def waiting(self, label: str, partitions: Collection[int]) -> int:
        """Records of ``partitions`` of the ``label`` target not committed by its group yet, read
        now (for the stall watch: this client is not the consumer's, which may be the one wedged).
        Raises ``LagUnavailable``."""
        lags = partition_lags(self._admin, self._targets[label], self._timeout)
        return sum(lags.get(partition, 0) for partition in partitions)

    def read(self) -> dict[str, int]:
        """Lag per label (e.g. ``{"operations": 0, "elements": 1200}``)."""
        with self._lock:
            now = self._clock()
            if self._read_at is not None and now - self._read_at < self._min_interval:
                return dict(self._last)
            values: dict[str, int] = {}
            for label, target in self._targets.items():
                try:
                    values[label] = measure_lag(self._admin, target, self._timeout)
                except LagUnavailable:
                    continue
            self._last, self._read_at = values, now
            return dict(values)
