"""The processor facing an unavailable dependency, against in-memory fakes and a fake clock: the
element is handed back without spending an attempt (never retried in a loop, never Failed), the
tenant's circuit stops new calls, one probe goes through per backoff, and the batch finishes by
itself once the dependency answers; the operation shows what it waits on meanwhile."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from fakes import ElStatus, FakeProducer, FakeRecord, FakeWork, OpStatus

from batchops import metrics
from batchops.domain import BatchOperation
from batchops.engine.circuit import CircuitState, TenantCircuits, Transition
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import DependencyUnavailable, ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.outages import HANDED_BACK_REASON, OutageHandling
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work

DM = "device-management"
FAILED, DEAD = "failed-elements", "dead-letters"


class Dependency:
    """A dependency that goes down after ``up_for`` answers and comes back ``down_for`` seconds
    (fake clock) later; the processor's waits advance the clock."""

    def __init__(self, up_for: int, down_for: float) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()
        self._up_for = up_for
        self._down_for = down_for
        self._back_at: float | None = None
        self.answers: Counter[str] = Counter()  # device -> successful calls
        self.refusals: Counter[str] = Counter()

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def handle(self, context: HandlerContext) -> ElementOutcome:
        device = context.element.device_token
        with self._lock:
            down = self._back_at is not None and self.now < self._back_at
            if not down and self._back_at is None and sum(self.answers.values()) >= self._up_for:
                self._back_at, down = self.now + self._down_for, True
            if down:
                self.refusals[device] += 1
            else:
                self.answers[device] += 1
        if down:
            raise DependencyUnavailable(DM, f"device '{device}': {DM} GetDeviceByToken: UNAVAILABLE")
        return ElementOutcome.success()


class Handler:
    operation_type = "Test"

    def __init__(self, dependency: Dependency) -> None:
        self._dependency = dependency

    def validate(self, _create: object) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        return self._dependency.handle(context)


class SpyWork(FakeWork):
    """Records every waitingOn write."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting_on: list[str] = []
        original = self.operations.set_waiting_on

        def spy(operation_ids: Any, text: str) -> None:
            self.waiting_on.append(text)
            original(operation_ids, text)

        self.operations.set_waiting_on = spy  # type: ignore[method-assign]


_processors: list[Processor] = []


@pytest.fixture(autouse=True)
def _close() -> Iterator[None]:
    yield
    while _processors:
        _processors.pop().close()


def processor(
    work: FakeWork, dependency: Dependency, *, stopping: bool = False, tenant: str = "t-outage"
) -> tuple[Processor, TenantCircuits]:
    circuits = TenantCircuits(clock=dependency.clock)
    producer = FakeProducer()
    proc = Processor(
        tenant,
        work,
        ElementOutputs(producer, FAILED, DeadLetters(producer, DEAD), republish=lambda elements: 0),
        ProcessingPolicy(concurrency=4, lease=timedelta(seconds=30), max_attempts=3),
        HandlerAccess(
            HandlerRegistry([Handler(dependency)]),
            outages=OutageHandling(circuits, stopping=lambda: stopping, sleep=dependency.sleep),
        ),
        Heartbeat(work),
    )
    _processors.append(proc)
    return proc, circuits


def records(work: FakeWork, operation: BatchOperation) -> list[FakeRecord]:
    return [
        FakeRecord(encode_element_work(ElementWork(e.id, operation.id, token)), offset=n)
        for n, (token, e) in enumerate(sorted(work.elements(operation.id).items()))
    ]


def handed_back(tenant: str) -> float:
    value = metrics.REGISTRY.get_sample_value(
        "batchops_elements_handed_back_total", {"tenant": tenant, "reason": HANDED_BACK_REASON}
    )
    return value or 0.0


def test_an_outage_mid_batch_hands_back_and_finishes_by_itself_without_spending_attempts() -> None:
    work = SpyWork()
    tokens = [f"d{n:02d}" for n in range(40)]
    operation = work.add_operation(tokens)
    dependency = Dependency(up_for=6, down_for=5.0)  # probes at +1 and +3 fail, +7 answers
    proc, circuits = processor(work, dependency, tenant="t-mid-batch")
    heard: list[Transition] = []
    circuits.listen(heard.append)

    proc.handle_batch(cast(Any, records(work, operation)))

    elements = work.elements(operation.id)
    assert {e.status for e in elements.values()} == {ElStatus.SUCCEEDED}
    assert {e.attempts for e in elements.values()} == {1}  # the outage spent no attempt
    assert dependency.answers == Counter(tokens)  # each device answered exactly once
    assert sum(dependency.refusals.values()) >= 3  # the opening call and two failed probes
    done = work.operations.operation(operation.id)
    assert done is not None and done.status is OpStatus.FINISHED_SUCCESSFULLY
    assert (done.counts.succeeded, done.counts.failed) == (40, 0)
    assert done.waiting_on == ""  # cleared when the circuit closed
    assert [(t.old.name, t.new.name) for t in heard] == [
        ("CLOSED", "OPEN"),
        ("OPEN", "HALF_OPEN"),
        ("HALF_OPEN", "OPEN"),
        ("OPEN", "HALF_OPEN"),
        ("HALF_OPEN", "OPEN"),
        ("OPEN", "HALF_OPEN"),
        ("HALF_OPEN", "CLOSED"),
    ]
    assert work.waiting_on[0].startswith("device-management unavailable (circuit open since ")
    assert work.waiting_on[-1] == ""
    assert circuits.state(DM) is CircuitState.CLOSED
    state = metrics.REGISTRY.get_sample_value(
        "batchops_dependency_circuit_state", {"tenant": "t-mid-batch", "dependency": DM}
    )
    assert state == 0
    assert handed_back("t-mid-batch") >= 40 - 6  # every element not done when it broke, at least once


def test_an_unavailable_dependency_is_not_retried_in_a_loop_nor_failed() -> None:
    work = SpyWork()
    operation = work.add_operation(["only"])
    dependency = Dependency(up_for=0, down_for=2.5)  # probes at +1 fails, +3 answers
    proc, _circuits = processor(work, dependency)

    proc.handle_batch(cast(Any, records(work, operation)))

    # One call per round: the opening one, the failed probe, the answering probe (maxAttempts 3
    # would have failed it after three calls in a row).
    assert (dependency.refusals["only"], dependency.answers["only"]) == (2, 1)
    element = work.elements(operation.id)["only"]
    assert (element.status, element.attempts, element.error_message) == (ElStatus.SUCCEEDED, 1, "")


def test_a_stopping_engine_leaves_the_batch_uncommitted_holding_no_claim() -> None:
    work = SpyWork()
    operation = work.add_operation([f"d{n}" for n in range(10)])
    dependency = Dependency(up_for=2, down_for=60.0)
    proc, circuits = processor(work, dependency, stopping=True)

    with pytest.raises(Interrupted):
        proc.handle_batch(cast(Any, records(work, operation)))

    statuses = Counter(e.status for e in work.elements(operation.id).values())
    assert statuses[ElStatus.PROCESSING] == 0  # nothing stuck: all handed back
    assert statuses[ElStatus.FAILED] == 0
    assert statuses[ElStatus.SUCCEEDED] == 2
    assert {e.attempts for e in work.elements(operation.id).values() if e.status is ElStatus.UNPROCESSED} == {
        0
    }
    assert proc.held_claims() == set()
    assert circuits.state(DM) is CircuitState.OPEN
    assert work.waiting_on[0].startswith("device-management unavailable")
    current = work.operations.operation(operation.id)
    assert current is not None and current.waiting_on == ""  # a stopped engine's wait would go stale


def test_a_batch_starting_while_the_circuit_is_open_waits_for_the_probe_first() -> None:
    work = SpyWork()
    operation = work.add_operation(["a", "b", "c"])
    dependency = Dependency(up_for=10, down_for=0.0)
    proc, circuits = processor(work, dependency)
    circuits.unavailable(DM, probe=False)  # opened by an earlier batch

    proc.handle_batch(cast(Any, records(work, operation)))

    assert dependency.now >= 1000.0 + 1.0  # nothing ran before the first probe was due
    assert {e.status for e in work.elements(operation.id).values()} == {ElStatus.SUCCEEDED}
    assert {e.attempts for e in work.elements(operation.id).values()} == {1}
    assert circuits.closed
