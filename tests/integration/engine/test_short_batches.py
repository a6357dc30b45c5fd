"""How batches use what librdkafka fetched. A batch that ends quickly neither pauses its partitions
nor polls: a pause and resume cost librdkafka's fetching up to ``fetch.wait.max.ms`` per batch
(measured: 16,000 records in batches of 100 went at 186 records/s, with some partitions not read
for minutes; 1,456/s without the pause at a 100 ms fetch wait). A long batch keeps polling: it
carries the next batch from what is fetched, and pauses only once that batch is whole
(``test_consumer_resilience`` for its rebalances and lost resumes)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import pytest
from confluent_kafka import Consumer, Message, Producer, TopicPartition

from batchops.devstack import Endpoints, wait_for
from batchops.engine import partition_hold
from batchops.engine.consumer_loop import ConsumerFactory, ConsumerLoop, LoopTiming
from batchops.messaging.kafka import KafkaConfig, consumer_settings, ensure_topics, make_consumer
from batchops.messaging.offset_commits import CommitCallback
from support.kafka import own_group_loop


def test_short_batches_do_not_pause_their_partitions(
    servers: Endpoints, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"short-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    pauses: list[int] = []
    real_pause = partition_hold.pause_assignment

    def pause(consumer: Consumer, partitions: dict[tuple[str, int], TopicPartition]) -> bool:
        pauses.append(len(partitions))
        return real_pause(consumer, partitions)

    monkeypatch.setattr(partition_hold, "pause_assignment", pause)
    loop, seen = _recording_loop(
        lambda on_commit: make_consumer(kafka, f"g-{unique_name}", f"c-{unique_name}", on_commit),
        topic,
        unique_name,
    )
    try:
        assert loop.wait_assigned(60)
        producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
        for i in range(50):
            producer.produce(topic, value=f"r{i}".encode(), partition=i % 2)
        assert producer.flush(30) == 0
        wait_for(lambda: len(set(seen)) == 50, 60, message="not every record was handled")
        assert loop.batches_started >= 5 and pauses == []
    finally:
        loop.stop()


def test_a_backlog_is_drained_without_rewinding_and_in_order(servers: Endpoints, unique_name: str) -> None:
    """Records prefetched before a commit's answer are not taken off the queue and rewound: the
    loop does not wait for the answer (it sits in the consumer's queue behind those records).
    Waiting, and seeking back to the records it had to take meanwhile, cost a refetch per batch
    (``tools/consumer_drain.py``, 16,000 records in batches of 100: ~1,450/s; ~35,000/s without)."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"backlog-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    _fill(servers, topic, 400)
    seeks: list[TopicPartition] = []

    class SeekRecording(Consumer):
        def seek(self, partition: TopicPartition) -> None:
            seeks.append(partition)
            super().seek(partition)

    def factory(on_commit: CommitCallback) -> Consumer:
        return SeekRecording(
            {**consumer_settings(kafka, f"g-{unique_name}", f"c-{unique_name}"), "on_commit": on_commit}
        )

    loop, seen = _recording_loop(factory, topic, unique_name)
    try:
        wait_for(lambda: len(seen) >= 400, 60, message="the backlog was not drained")
        wait_for(
            lambda: _committed(kafka, f"g-{unique_name}", topic) == [200, 200], 30, message="not committed"
        )
    finally:
        loop.stop()
    assert seeks == [] and loop.failures == 0
    _assert_each_partition_in_order(seen, 200)


def test_a_long_batch_carries_the_next_batch_before_it_pauses(
    servers: Endpoints, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a batch holds, its polls take the records already fetched, up to a batch's worth,
    and only then pause the assignment. Pausing at once dropped every prefetched record: after
    each held batch the loop waited for the refetch (``tools/consumer_drain.py``, 10,000 records
    in batches of 500 with a 1.1 s handler: 233-257 records/s; 453 once the next batch is
    carried, 455 being the handler's own bound)."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"carry-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    _fill(servers, topic, 60)
    carried_at_pause: list[int] = []
    loop_ref: list[ConsumerLoop] = []
    real_pause = partition_hold.pause_assignment

    def pause(consumer: Consumer, partitions: dict[tuple[str, int], TopicPartition]) -> bool:
        carried_at_pause.append(len(loop_ref[0]._carry))
        return real_pause(consumer, partitions)

    monkeypatch.setattr(partition_hold, "pause_assignment", pause)
    batches: list[list[bytes]] = []

    def handle(records: Sequence[Message]) -> None:
        if not batches:  # the first batch holds until its hold paused
            wait_for(lambda: bool(carried_at_pause), 60, message="the held batch never paused")
        batches.append([bytes(r.value() or b"") for r in records])

    loop = _holding_loop(kafka, topic, unique_name, handle)
    loop_ref.append(loop)
    loop.start()
    try:
        wait_for(lambda: sum(map(len, batches)) >= 60, 60, message="the backlog was not drained")
    finally:
        loop.stop()
    assert carried_at_pause[0] == 10 and loop.failures == 0
    assert len(batches[1]) == 10  # the carried batch, whole
    _assert_each_partition_in_order([value for batch in batches for value in batch], 30)


def test_a_long_batch_that_cannot_fill_its_carry_never_pauses(
    servers: Endpoints, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fewer records than a batch arrive while a batch holds: its polls carry them all, nothing is
    paused (nothing fetched is dropped), and the next batch is those records."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"partial-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    pauses: list[int] = []
    monkeypatch.setattr(partition_hold, "pause_assignment", lambda _c, partitions: bool(pauses.append(1)))
    loop_ref: list[ConsumerLoop] = []
    batches: list[list[bytes]] = []
    started = threading.Event()

    def handle(records: Sequence[Message]) -> None:
        if not batches:  # the first batch holds until its polls carried every record behind it
            started.set()
            wait_for(lambda: len(records) + len(loop_ref[0]._carry) == 6, 60, message="not carried")
        batches.append([bytes(r.value() or b"") for r in records])

    loop = _holding_loop(kafka, topic, unique_name, handle)
    loop_ref.append(loop)
    loop.start()
    try:
        assert loop.wait_assigned(60)
        _fill(servers, topic, 2)  # one record on each partition: the first batch
        wait_for(started.is_set, 60, message="the first batch never started")
        _fill(servers, topic, 4)  # arrive while it holds
        wait_for(lambda: sum(map(len, batches)) >= 6, 60, message="the carried records were not handled")
    finally:
        loop.stop()
    assert pauses == [] and loop.failures == 0
    assert len(batches) == 2  # the held batch, then all it carried
    assert sorted(batches[0] + batches[1]) == sorted([b"0:0", b"1:0", b"0:0", b"0:1", b"1:0", b"1:1"])


def _holding_loop(
    kafka: KafkaConfig, topic: str, unique_name: str, handle: Callable[[Sequence[Message]], None]
) -> ConsumerLoop:
    """An unstarted loop taking batches of 10 whose batches hold from 0.2 s on."""
    return own_group_loop(kafka, unique_name, topic, handle, timing=LoopTiming(pause_after=0.2))


def _fill(servers: Endpoints, topic: str, records: int) -> None:
    """``records`` records over partitions 0 and 1, valued ``<partition>:<n-th of it>``."""
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    for i in range(records):
        producer.produce(topic, value=f"{i % 2}:{i // 2}".encode(), partition=i % 2)
    assert producer.flush(30) == 0


def _assert_each_partition_in_order(seen: list[bytes], per_partition: int) -> None:
    """Each of ``_fill``'s partitions handled exactly once, in order."""
    for partition in ("0", "1"):
        assert [v for v in seen if v.startswith(f"{partition}:".encode())] == [
            f"{partition}:{n}".encode() for n in range(per_partition)
        ]


def _recording_loop(
    factory: ConsumerFactory, topic: str, unique_name: str
) -> tuple[ConsumerLoop, list[bytes]]:
    """A started loop taking batches of 10 that records the values it is handed; no batch lasts
    long enough to pause (30 s is far above what these take, even on a loaded machine)."""
    seen: list[bytes] = []
    loop = ConsumerLoop(
        topic,
        factory,
        topic,
        lambda records: seen.extend(bytes(r.value() or b"") for r in records),
        batch_size=10,
        tenant_id=unique_name,
        timing=LoopTiming(pause_after=30.0),
    )
    loop.start()
    return loop, seen


def _committed(kafka: KafkaConfig, group: str, topic: str) -> list[int]:
    reader = Consumer(consumer_settings(kafka, group, "committed-reader"))
    try:
        return [
            tp.offset
            for tp in reader.committed([TopicPartition(topic, 0), TopicPartition(topic, 1)], timeout=10)
        ]
    finally:
        reader.close()
