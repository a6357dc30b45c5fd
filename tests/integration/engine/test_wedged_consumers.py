"""A wedged consumer does not hold a consumer loop for good.

After a broker restart librdkafka can wedge a consumer: its commit then waits for ever
(``messaging.offset_commits``), or it stays in its group without ever fetching again
(``engine.stall_watch``). Both are produced here on purpose:

- the batch handler freezes the test's own broker (SIGSTOP), so the batch's commit reaches a
  broker that holds its connections open and answers nothing;
- a consumer hands no record to the loop although records wait on its partitions.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from functools import partial

import pytest
from confluent_kafka import Consumer, Message, Producer
from confluent_kafka.admin import AdminClient

from batchops.devstack import DevStack, Endpoints, wait_for
from batchops.engine.consumer_loop import ConsumerLoop, LoopState, LoopTiming
from batchops.engine.loop_timing import WedgeLimits
from batchops.messaging.kafka import KafkaConfig, consumer_settings, ensure_topics
from batchops.messaging.lag import GroupTopic, LagGauge, LagUnavailable, measure_lag
from batchops.messaging.offset_commits import CommitCallback
from support.kafka import own_group_loop

# Short waits, so the test does not sit out librdkafka's own 60 s request timeout.
TIMING = LoopTiming(
    stop_grace=1.0, restart_backoff=0.2, wedged=WedgeLimits(commit_timeout=2.0, close_timeout=1.0)
)


class BrokerFreezer:
    """Freezes the test's broker process once (later calls do nothing) and thaws it."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self.frozen = False
        self._used = False

    def freeze(self) -> None:
        if not self._used:
            self._used = self.frozen = True
            os.kill(self._pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.frozen:
            self.frozen = False
            os.kill(self._pid, signal.SIGCONT)


@pytest.fixture
def freezer(own_kafka: DevStack) -> Iterator[BrokerFreezer]:
    """The broker is always thawed at the end."""
    pid = own_kafka.status()["kafka"].pid
    assert pid is not None
    freezer = BrokerFreezer(pid)
    try:
        yield freezer
    finally:
        freezer.thaw()


def _loop(
    kafka: KafkaConfig, name: str, topic: str, handler: Callable[[Sequence[Message]], None]
) -> ConsumerLoop:
    return own_group_loop(kafka, name, topic, handler, timing=TIMING)


def _own_topic(own_kafka: DevStack, topic: str) -> tuple[str, KafkaConfig, str]:
    """The test broker's bootstrap address and client settings, and ``topic`` created on it."""
    bootstrap = own_kafka.endpoints.kafka_bootstrap
    kafka = KafkaConfig(bootstrap)
    ensure_topics(kafka, [topic], 1, 1)
    return bootstrap, kafka, topic


def _publish(bootstrap: str, topic: str, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, value=value)
    assert producer.flush(30) == 0


def test_an_unanswered_commit_replaces_the_consumer_and_the_records_come_again(
    own_kafka: DevStack, freezer: BrokerFreezer, unique_name: str
) -> None:
    bootstrap, kafka, topic = _own_topic(own_kafka, f"frozen-{unique_name}")
    seen: list[bytes] = []

    def handler(records: Sequence[Message]) -> None:
        seen.extend(bytes(r.value() or b"") for r in records)
        freezer.freeze()  # the batch's commit comes next, to a broker that answers nothing

    loop = _loop(kafka, unique_name, topic, handler)
    loop.start()
    try:
        assert loop.wait_assigned(60)
        _publish(bootstrap, topic, b"first")
        # Before the fix the loop sat in the commit for as long as the broker stayed frozen.
        wait_for(lambda: loop.crashes >= 1, 60, message="the unanswered commit held the loop")
        freezer.thaw()
        # The fresh consumer carries on: the next record is handled and both end up committed
        # (the first by the thawed broker taking the request it held, or by the fresh consumer
        # after handling it again).
        _publish(bootstrap, topic, b"second")
        wait_for(lambda: b"second" in seen, 120, message="the fresh consumer handled nothing")
        admin, target = AdminClient({"bootstrap.servers": bootstrap}), GroupTopic(f"g-{unique_name}", topic)
        wait_for(
            lambda: measure_lag(admin, target) == 0, 120, message="not committed", ignore=(LagUnavailable,)
        )
        assert loop.running  # (at least once: a rebalance as the old member leaves may repeat it)
    finally:
        loop.stop()


def test_stopping_during_an_unanswered_commit_ends_the_loop(
    own_kafka: DevStack, freezer: BrokerFreezer, unique_name: str
) -> None:
    bootstrap, kafka, topic = _own_topic(own_kafka, f"frozen-stop-{unique_name}")
    loop = _loop(kafka, unique_name, topic, lambda _records: freezer.freeze())
    loop.start()
    assert loop.wait_assigned(60)
    _publish(bootstrap, topic, b"only")
    wait_for(lambda: loop.batches_started >= 1, 60, message="the batch never started")
    loop.stop(timeout=30)  # the broker stays frozen throughout
    assert not loop.alive and loop.state is LoopState.STOPPED


class DeafConsumer(Consumer):  # type: ignore[misc]  # confluent-kafka ships no type hints
    """Stays in its group and fetches, but hands no record over: a consumer whose fetching
    wedged looks like this from outside."""

    def poll(self, timeout: float = -1) -> Message | None:
        super().poll(timeout)
        return None

    def consume(self, num_messages: int = 1, timeout: float = -1) -> list[Message]:
        super().consume(num_messages, timeout)
        return []


def test_a_consumer_that_receives_nothing_while_records_wait_is_replaced(
    servers: Endpoints, unique_name: str
) -> None:
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic, group = f"deaf-{unique_name}", f"g-{unique_name}"
    ensure_topics(kafka, [topic], 2, 1)
    built: list[Consumer] = []

    def factory(on_commit: CommitCallback) -> Consumer:
        settings = {**consumer_settings(kafka, group, f"c-{unique_name}"), "on_commit": on_commit}
        built.append(Consumer(settings) if built else DeafConsumer(settings))
        return built[-1]

    seen: list[bytes] = []
    loop = ConsumerLoop(
        "deaf",
        factory,
        topic,
        lambda records: seen.extend(bytes(r.value() or b"") for r in records),
        batch_size=10,
        tenant_id=unique_name,
        timing=dataclasses.replace(TIMING, wedged=dataclasses.replace(TIMING.wedged, stall_timeout=2.0)),
        backlog=partial(LagGauge(kafka, {"deaf": GroupTopic(group, topic)}).waiting, "deaf"),
    )
    loop.start()
    try:
        assert loop.wait_assigned(60)
        for value in (b"a", b"b", b"c"):
            _publish(servers.kafka_bootstrap, topic, value)
        # Before the fix the deaf consumer was kept for ever and nothing was handled.
        wait_for(lambda: {b"a", b"b", b"c"} <= set(seen), 120, message="the deaf consumer was kept")
        assert len(built) >= 2 and loop.crashes >= 1 and loop.running
    finally:
        loop.stop()
