"""The processor's stop (issue 14, bounded shutdown), against in-memory fakes: after ``stop_by`` no
handler call starts; running ones get until the deadline and their outcomes are stored; the claims
left go back to Unprocessed with their attempt given back; what a handler returns after the
deadline is discarded (never recorded as a failure); the batch is left uncommitted."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from fakes import ElStatus, FakeProducer, FakeRecord, FakeWork

from batchops.domain import BatchOperation
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work

WAIT = 30.0  # generous: only a broken processor waits this long


class GatedHandler:
    """Devices named "fast-*" succeed at once, "fail-*" fail at once; the others block until
    ``release`` (a dependency that never answers), then raise as a cancelled call would."""

    operation_type = "Test"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.blocked = threading.Semaphore(0)
        self.given_up = threading.Semaphore(0)
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def validate(self, operation: BatchOperation) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        token = context.element.device_token
        with self._lock:
            self.calls.append(token)
        if token.startswith("fast-"):
            return ElementOutcome.success()
        if token.startswith("fail-"):
            return ElementOutcome.failure("refused")
        self.blocked.release()
        self.release.wait(WAIT)
        self.given_up.release()
        raise RuntimeError("CANCELLED: channel closed")


Setup = tuple[FakeWork, GatedHandler, Processor, FakeProducer]


def make(lease: timedelta = timedelta(seconds=60)) -> Setup:
    work, handler, producer = FakeWork(), GatedHandler(), FakeProducer()
    processor = Processor(
        "tenant",
        work,
        ElementOutputs(producer, "failed", DeadLetters(producer, "dead"), republish=lambda elements: 0),
        ProcessingPolicy(concurrency=4, lease=lease, max_attempts=3),
        HandlerAccess(HandlerRegistry([handler])),
        Heartbeat(work),
    )
    return work, handler, processor, producer


@pytest.fixture
def setup() -> Iterator[Setup]:
    made = make()
    yield made
    made[1].release.set()
    made[2].close()


def records(work: FakeWork, operation: BatchOperation) -> list[Any]:
    return [
        FakeRecord(encode_element_work(ElementWork(element.id, operation.id, token)))
        for token, element in sorted(work.elements(operation.id).items())
    ]


def run_in_thread(processor: Processor, batch: list[Any]) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            processor.handle_batch(cast(Any, batch))
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, raised


def test_a_stop_stores_what_returned_and_hands_back_the_rest(
    setup: Setup,
) -> None:
    work, handler, processor, producer = setup
    # Sorted: the two fast ones first, then four that block (all four slots), then two never started.
    tokens = ["fast-1", "fast-2", "slow-1", "slow-2", "slow-3", "slow-4", "wait-1", "wait-2"]
    operation = work.add_operation(tokens)
    thread, raised = run_in_thread(processor, records(work, operation))
    for _ in range(4):  # every slot holds a blocked call
        assert handler.blocked.acquire(timeout=WAIT)

    processor.stop_by(time.monotonic() + 0.2)
    thread.join(WAIT)

    assert not thread.is_alive()
    assert len(raised) == 1 and isinstance(raised[0], Interrupted)  # left uncommitted
    elements = work.elements(operation.id)
    assert {t for t, e in elements.items() if e.status == ElStatus.SUCCEEDED} == {"fast-1", "fast-2"}
    left = {t: e for t, e in elements.items() if not t.startswith("fast-")}
    assert {e.status for e in left.values()} == {ElStatus.UNPROCESSED}
    assert {e.attempts for e in left.values()} == {0}  # the claim's attempt given back
    assert sorted(handler.calls) == sorted(tokens[:6])  # nothing started after the stop
    counts = work.operations.operation(operation.id).counts  # type: ignore[union-attr]
    assert (counts.succeeded, counts.processing, counts.unprocessed) == (2, 0, 6)

    # The blocked calls now return (their channel closed): not retried, not recorded as failures.
    processor.close()
    handler.release.set()
    for _ in range(4):
        assert handler.given_up.acquire(timeout=WAIT)
    processor.close()  # nothing left to run
    assert sorted(handler.calls) == sorted(tokens[:6])
    assert {e.status for t, e in work.elements(operation.id).items() if t in left} == {ElStatus.UNPROCESSED}
    assert not producer.on("failed")


def test_a_batch_arriving_after_the_stop_is_not_claimed(
    setup: Setup,
) -> None:
    work, handler, processor, _producer = setup
    operation = work.add_operation(["fast-1", "fast-2"])
    processor.stop_by(time.monotonic() + 5)

    with pytest.raises(Interrupted):
        processor.handle_batch(cast(Any, records(work, operation)))

    assert handler.calls == []
    assert {e.status for e in work.elements(operation.id).values()} == {ElStatus.UNPROCESSED}


def test_a_stop_without_running_calls_returns_at_once(
    setup: Setup,
) -> None:
    work, _handler, processor, _producer = setup
    operation = work.add_operation(["fast-1", "fast-2"])
    processor.handle_batch(cast(Any, records(work, operation)))  # done before the stop

    started = time.monotonic()
    processor.stop_by(time.monotonic() + WAIT)
    processor.close()

    assert time.monotonic() - started < WAIT / 2
    assert {e.status for e in work.elements(operation.id).values()} == {ElStatus.SUCCEEDED}


def test_a_grace_longer_than_the_lease_keeps_the_running_claims_leased() -> None:
    work, handler, processor, _producer = make(lease=timedelta(seconds=0.3))  # renewed every 0.1 s
    try:
        operation = work.add_operation(["slow-1"])
        thread, raised = run_in_thread(processor, records(work, operation))
        assert handler.blocked.acquire(timeout=WAIT)
        renewals = work.state.renewals
        processor.stop_by(time.monotonic() + 2.0)
        thread.join(WAIT)
        # Every 0.1 s while the grace ran (before the stop, at most one more could slip in).
        assert work.state.renewals - renewals >= 3
        assert len(raised) == 1 and isinstance(raised[0], Interrupted)
        assert work.elements(operation.id)["slow-1"].status == ElStatus.UNPROCESSED
    finally:
        handler.release.set()
        processor.close()


def test_a_stop_while_failure_reports_cannot_be_sent_still_hands_back_every_claim() -> None:
    # Regression: once a failure's report had been refused (the broker away), the stop's own
    # flushes raised on it at once, leaving the calls still running neither stored nor handed back
    # (Processing until their leases ran out).
    work, handler, processor, producer = made = make()
    try:
        producer.refuse("failed")
        # Sorted: "fail-1" fails at once; three block (the other slots); "wait-1" never starts.
        tokens = ["fail-1", "slow-1", "slow-2", "slow-3", "wait-1"]
        operation = work.add_operation(tokens)
        thread, raised = run_in_thread(processor, records(work, operation))
        for _ in range(3):
            assert handler.blocked.acquire(timeout=WAIT)

        processor.stop_by(time.monotonic() + 0.2)
        thread.join(WAIT)

        assert not thread.is_alive()
        assert len(raised) == 1 and isinstance(raised[0], Interrupted)
        elements = work.elements(operation.id)
        assert {t: e.status for t, e in elements.items()} == dict.fromkeys(tokens, ElStatus.UNPROCESSED)
        assert (elements["fail-1"].attempts, elements["wait-1"].attempts) == (1, 0)  # its call was made
        assert producer.on("failed") == []
        assert producer.refusals["failed"] == 1  # not tried again by the stop: it must keep its grace
    finally:
        made[1].release.set()
        made[2].close()
