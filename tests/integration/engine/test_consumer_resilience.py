"""Consumer loops never die silently: a batch longer than ``max.poll.interval.ms`` keeps its
member in the group, a crashed loop restarts with backoff, and a loop that is not running is
reported (engine state, metric, CheckTenantEngineAvailable) within seconds."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from typing import Any

import grpc
import pytest
from confluent_kafka import Consumer, Message, Producer, TopicPartition

from batchops import metrics
from batchops.api import StaticRouter
from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints, wait_for
from batchops.engine import partition_hold
from batchops.engine.consumer_loop import ConsumerLoop, LoopState, LoopTiming
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import KafkaConfig, ensure_topics, make_consumer
from batchops.messaging.offset_commits import CommitCallback
from batchops.service import BatchOpsService
from batchops.store.work_store import WorkStore
from batchops.wire import multitenant_management_pb2 as mtm
from batchops.wire import multitenant_management_pb2_grpc
from support.kafka import own_group_loop, publish_operation


def running_gauge(tenant: str, consumer: str) -> float | None:
    return metrics.REGISTRY.get_sample_value(
        "batchops_consumer_running", {"tenant": tenant, "consumer": consumer}
    )


def test_a_batch_longer_than_max_poll_interval_does_not_stop_processing(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    unique_name: str,
    effects: Any,
    work: WorkStore,
) -> None:
    # librdkafka's smallest allowed poll interval is the session timeout; 6 s is the broker's
    # smallest session (group.min.session.timeout.ms).
    kafka = KafkaConfig(
        servers.kafka_bootstrap,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
        max_poll_interval_ms=7000,
    )
    engine = TenantEngine(
        unique_name, TenantConfiguration(consumer_batch_size=1), dataclasses.replace(engine_env, kafka=kafka)
    )
    engine.start()
    engines.append(engine)
    assert engine.wait_ready(60)
    # One element per batch, each handler call blocking 10 s: longer than the poll interval.
    op_id = publish_operation(servers, engine.topics, ["slow-1", "slow-2"], chunk=10, delayMs="10000")

    def finished() -> Any:
        op = work.operations.operation(op_id)
        return op if op is not None and op.status.is_final else None

    done = wait_for(finished, 180, interval=0.2, message="processing stopped after a long batch")
    assert (done.counts.succeeded, done.total_elements) == (2, 2)
    processor = next(loop for loop in engine._loops if loop.name == "processor")
    assert processor.crashes == 0 and processor.running
    assert engine.healthy


def test_a_crashed_loop_is_reported_and_restarted(servers: Endpoints, unique_name: str) -> None:
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"crash-{unique_name}"
    ensure_topics(kafka, [topic], 1, 1)
    broken = True

    def factory(on_commit: CommitCallback) -> Consumer:
        if broken:
            raise RuntimeError("injected crash")
        return make_consumer(kafka, f"g-{unique_name}", f"c-{unique_name}", on_commit)

    seen: list[Message] = []
    loop = ConsumerLoop(
        "injected",
        factory,
        topic,
        seen.extend,
        batch_size=10,
        tenant_id=unique_name,
        timing=LoopTiming(restart_backoff=0.2),
    )
    loop.start()
    try:
        wait_for(lambda: loop.state is LoopState.RESTARTING, 10, message="crash not reported")
        assert running_gauge(unique_name, "injected") == 0
        wait_for(lambda: loop.crashes >= 2, 30, message="the loop was not restarted after a crash")
        broken = False
        producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
        for i in range(3):
            producer.produce(topic, key=f"k{i}", value=f"v{i}".encode())
        assert producer.flush(30) == 0
        wait_for(lambda: len(seen) >= 3, 60, message="the restarted loop consumed nothing")
        assert loop.running and running_gauge(unique_name, "injected") == 1
    finally:
        loop.stop()
    assert running_gauge(unique_name, "injected") is None


def test_an_engine_whose_consumers_cannot_run_is_reported_unavailable(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    router: StaticRouter,
    api: BatchOpsService,
    unique_name: str,
    tenant_db: Any,
) -> None:
    # A poll interval below the session timeout: librdkafka refuses to build the consumers
    # (the producer, which ignores the setting, still starts).
    kafka = KafkaConfig(servers.kafka_bootstrap, max_poll_interval_ms=1000)
    engine = TenantEngine(unique_name, TenantConfiguration(), dataclasses.replace(engine_env, kafka=kafka))
    engine.start()
    engines.append(engine)
    router.add(unique_name, engine)
    wait_for(
        lambda: set(engine.consumers.values()) == {"restarting"},
        15,
        interval=0.1,
        message="consumers that cannot run were not reported",
    )
    assert not engine.healthy
    assert running_gauge(unique_name, "processor") == 0
    with grpc.insecure_channel(f"127.0.0.1:{api.port}") as channel:
        stub = multitenant_management_pb2_grpc.MultitenantManagementStub(channel)
        answer = stub.CheckTenantEngineAvailable(
            mtm.GCheckTenantEngineAvailableRequest(), metadata=(("tenant", unique_name),), timeout=30
        )
    assert answer.available is False


def test_a_rebalance_during_a_batch_loses_nothing_and_the_loop_carries_on(
    servers: Endpoints, unique_name: str
) -> None:
    """Another member joins while a batch is handled (partitions are revoked and reassigned under
    it, and its commit may fail): the loop neither crashes nor stalls, and once the other member
    leaves it consumes every partition again."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic, group = f"rebalance-{unique_name}", f"g-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    seen: list[bytes] = []
    release = threading.Event()

    def slow_handler(records: Sequence[Message]) -> None:
        # Hold the first batch until the group has rebalanced around it.
        wait_for(release.is_set, 120, interval=0.1, message="never released")
        seen.extend(bytes(r.value() or b"") for r in records)

    loop = ConsumerLoop(
        "rebalanced",
        lambda on_commit: make_consumer(kafka, group, f"a-{unique_name}", on_commit),
        topic,
        slow_handler,
        batch_size=10,
        tenant_id=unique_name,
    )
    loop.start()
    other = make_consumer(kafka, group, f"b-{unique_name}")
    try:
        assert loop.wait_assigned(60)
        producer.produce(topic, value=b"first", partition=0)
        assert producer.flush(30) == 0
        wait_for(lambda: loop.batches_started >= 1, 60, message="the first batch never started")
        other.subscribe([topic])
        wait_for(
            lambda: other.poll(0.2) is not None or bool(other.assignment()),
            60,
            interval=0,
            message="the other member never got a partition",
        )
        assert loop.rebalances >= 1
        release.set()
        wait_for(lambda: b"first" in seen, 60, message="the held batch never completed")
    finally:
        release.set()
        other.close()  # its partition returns to the loop
    try:
        for partition in (0, 1):
            producer.produce(topic, value=f"second-{partition}".encode(), partition=partition)
        assert producer.flush(30) == 0
        wait_for(
            lambda: {b"second-0", b"second-1"} <= set(seen),
            90,
            message="the loop stopped consuming after the rebalance",
        )
        assert loop.crashes == 0 and loop.running
    finally:
        loop.stop()


class _EndsTheBatchOnRevoke(ConsumerLoop):
    """Lets its held batch end inside the revoke callback, so the batch is over before the
    group's next assignment: the window a broker restart's session timeout opens."""

    def __init__(self, *args: Any, release: threading.Event, ended: threading.Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._release, self._ended = release, ended

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        super()._on_revoke(consumer, partitions)
        if not self._release.is_set():
            self._release.set()
            assert self._ended.wait(60), "the held batch did not end"


def test_a_batch_that_ends_between_a_revoke_and_the_next_assignment_leaves_nothing_paused(
    servers: Endpoints, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch pauses its partitions (once it carries the next batch); they are revoked, the
    batch ends (its resume finds them unassigned) and they come back: they must come back
    consuming."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic, group = f"revoked-{unique_name}", f"g-{unique_name}"
    ensure_topics(kafka, [topic], 1, 1)
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    seen: list[bytes] = []
    release, ended, paused = threading.Event(), threading.Event(), threading.Event()
    real_pause = partition_hold.pause_assignment

    def pause(consumer: Consumer, partitions: dict[tuple[str, int], TopicPartition]) -> bool:
        done = real_pause(consumer, partitions)
        paused.set()
        return done

    monkeypatch.setattr(partition_hold, "pause_assignment", pause)

    def held_handler(records: Sequence[Message]) -> None:
        release.wait(120)
        seen.extend(bytes(r.value() or b"") for r in records)
        ended.set()

    loop = _EndsTheBatchOnRevoke(
        "revoked",
        lambda on_commit: make_consumer(kafka, group, f"a-{unique_name}", on_commit),
        topic,
        held_handler,
        batch_size=1,  # the record behind the held one fills the carry: the hold pauses
        tenant_id=unique_name,
        release=release,
        ended=ended,
    )
    loop.start()
    other = make_consumer(kafka, group, f"b-{unique_name}")
    try:
        assert loop.wait_assigned(60)
        producer.produce(topic, value=b"first")
        producer.produce(topic, value=b"carried")
        assert producer.flush(30) == 0
        wait_for(paused.is_set, 60, message="the held batch never paused its partition")
        other.subscribe([topic])  # the rebalance revokes the loop's paused partition
        wait_for(
            lambda: ended.is_set() or other.poll(0.2) is not None, 60, interval=0, message="no rebalance"
        )
        wait_for(ended.is_set, 60, message="the held batch never ended")
    finally:
        release.set()
        other.close()  # whatever it got returns to the loop
    try:
        producer.produce(topic, value=b"second")
        assert producer.flush(30) == 0
        wait_for(lambda: b"second" in seen, 90, message="the partition stayed paused after the rebalance")
        assert loop.crashes == 0 and loop.running
    finally:
        loop.stop()


def test_a_pause_left_over_by_a_lost_resume_does_not_stop_the_partition(
    servers: Endpoints, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resume at a batch's end is lost (librdkafka applies it asynchronously; it may fail):
    the idle loop resumes its assignment anyway, so the next records still come."""
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic, group = f"lost-resume-{unique_name}", f"g-{unique_name}"
    ensure_topics(kafka, [topic], 1, 1)
    paused, lost = threading.Event(), threading.Event()
    real_pause, real_resume = partition_hold.pause_assignment, partition_hold.resume

    def pause(consumer: Consumer, partitions: dict[tuple[str, int], TopicPartition]) -> bool:
        done = real_pause(consumer, partitions)
        paused.set()
        return done

    def resume(consumer: Consumer, partitions: list[TopicPartition]) -> None:
        if paused.is_set() and not lost.is_set():
            lost.set()  # the batch's own resume: dropped
            return
        real_resume(consumer, partitions)

    monkeypatch.setattr(partition_hold, "pause_assignment", pause)
    monkeypatch.setattr(partition_hold, "resume", resume)
    seen: list[bytes] = []

    def handler(records: Sequence[Message]) -> None:
        paused.wait(60)  # held until the loop paused the partition
        seen.extend(bytes(r.value() or b"") for r in records)

    loop = ConsumerLoop(
        "lost-resume",
        lambda on_commit: make_consumer(kafka, group, f"c-{unique_name}", on_commit),
        topic,
        handler,
        batch_size=1,  # the record behind the held one fills the carry: the hold pauses
        tenant_id=unique_name,
        timing=LoopTiming(idle_resume=0.5),
    )
    loop.start()
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    try:
        assert loop.wait_assigned(60)
        producer.produce(topic, value=b"first")
        producer.produce(topic, value=b"carried")
        assert producer.flush(30) == 0
        wait_for(lambda: b"first" in seen and lost.is_set(), 60, message="the first batch never ended")
        producer.produce(topic, value=b"second")
        assert producer.flush(30) == 0
        wait_for(lambda: b"second" in seen, 90, message="the partition stayed paused")
        assert loop.crashes == 0 and loop.running
    finally:
        loop.stop()


def test_stopping_leaves_the_group_even_if_a_batch_hangs(servers: Endpoints, unique_name: str) -> None:
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"hang-{unique_name}"
    ensure_topics(kafka, [topic], 1, 1)
    unblock = threading.Event()
    loop = own_group_loop(
        kafka,
        unique_name,
        topic,
        lambda _records: unblock.wait(120) and None,
        timing=LoopTiming(stop_grace=1.0),
    )
    loop.start()
    try:
        assert loop.wait_assigned(60)
        producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
        producer.produce(topic, value=b"hangs")
        assert producer.flush(30) == 0
        wait_for(lambda: loop.batches_started >= 1, 60, message="the batch never started")
        loop.stop(timeout=60)
        assert not loop.alive and loop.state is LoopState.STOPPED
    finally:
        unblock.set()
