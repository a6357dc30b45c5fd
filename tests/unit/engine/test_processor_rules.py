"""The processor's rules against in-memory fakes: only what a claim takes is processed, leases
are renewed while a long batch runs, failed attempts are retried up to the limit, outcomes are
recorded where the claim still holds, and an operation finishes exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any, cast

import pytest
from fakes import ElStatus, FakeProducer, FakeRecord, FakeWork, OpStatus

from batchops.domain import BatchOperation
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work
from batchops.messaging.kafka import PublishError
from batchops.store import utcnow

FAILED, DEAD = "failed-elements", "dead-letters"
Script = Callable[[HandlerContext], ElementOutcome]


class ScriptedHandler:
    """Handles "Test" operations by ``script`` (success by default), recording each call."""

    operation_type = "Test"

    def __init__(self, script: Script | None = None) -> None:
        self._script = script
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def validate(self, operation: BatchOperation) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        with self._lock:
            self.calls.append(context.element.device_token)
        return self._script(context) if self._script else ElementOutcome.success()


_open: list[Harness] = []


@pytest.fixture(autouse=True)
def _close_processors() -> Iterator[None]:
    yield
    while _open:
        _open.pop().processor.close()


class Harness:
    def __init__(
        self,
        handler: ScriptedHandler,
        *,
        lease: timedelta = timedelta(seconds=30),
        max_attempts: int = 3,
        work: FakeWork | None = None,
    ) -> None:
        self.work = work or FakeWork()
        _open.append(self)
        self.producer = FakeProducer()
        self.finished: list[BatchOperation] = []
        self.processor = Processor(
            "tenant",
            self.work,
            ElementOutputs(
                self.producer, FAILED, DeadLetters(self.producer, DEAD), republish=lambda elements: 0
            ),
            ProcessingPolicy(concurrency=4, lease=lease, max_attempts=max_attempts),
            HandlerAccess(HandlerRegistry([handler])),
            Heartbeat(self.work),
            on_finished=self.finished.append,
        )

    def run(self, operation: BatchOperation, tokens: Sequence[str]) -> None:
        records = [
            FakeRecord(
                encode_element_work(ElementWork(self.work.elements(operation.id)[t].id, operation.id, t))
            )
            for t in tokens
        ]
        self.run_records(records)

    def run_records(self, records: Sequence[FakeRecord]) -> None:
        self.processor.handle_batch(cast(Any, records))

    def dead_reasons(self) -> list[str]:
        return [(sent.headers or {})["batchops.reason"] for sent in self.producer.on(DEAD)]


def test_only_elements_the_claim_takes_are_processed() -> None:
    handler = ScriptedHandler()
    h = Harness(handler)
    op = h.work.add_operation(["free", "held", "done", "abandoned"])
    elements = h.work.elements(op.id)
    h.work.set_element(
        elements["held"].id,
        status=ElStatus.PROCESSING,
        claim="other",
        lease_until=utcnow() + timedelta(minutes=5),
    )
    h.work.set_element(elements["done"].id, status=ElStatus.SUCCEEDED)
    h.work.set_element(
        elements["abandoned"].id,
        status=ElStatus.PROCESSING,
        claim="dead-worker",
        lease_until=utcnow() - timedelta(seconds=1),
        attempts=1,
    )

    h.run(op, ["free", "held", "done", "abandoned"])

    assert sorted(handler.calls) == ["abandoned", "free"]
    after = h.work.elements(op.id)
    assert (after["free"].status, after["abandoned"].status) == (ElStatus.SUCCEEDED, ElStatus.SUCCEEDED)
    assert after["abandoned"].attempts == 2  # taken over from the dead worker: a second attempt
    assert after["held"].status == ElStatus.PROCESSING  # another worker's live claim is left alone
    assert h.work.state.elements[elements["held"].id].claim == "other"
    assert after["done"].status == ElStatus.SUCCEEDED and after["done"].attempts == 0
    assert h.dead_reasons() == []  # they belong to their operation: nothing to dead-letter
    assert h.finished == []  # "held" is not final yet


def test_a_record_naming_another_operation_or_garbage_is_dead_lettered_not_processed() -> None:
    handler = ScriptedHandler()
    h = Harness(handler)
    victim = h.work.add_operation(["victim"])
    named = h.work.add_operation(["other"])
    victim_id = h.work.elements(victim.id)["victim"].id
    forged = FakeRecord(encode_element_work(ElementWork(victim_id, named.id, "victim")), offset=1)
    garbage = FakeRecord(b"\xff\xfenot protobuf", offset=2)

    h.run_records([forged, garbage])

    assert handler.calls == []
    assert h.work.elements(victim.id)["victim"].status == ElStatus.UNPROCESSED
    reasons = h.dead_reasons()
    assert len(reasons) == 2
    assert f"element {victim_id} does not belong to operation {named.id}" in reasons


def test_leases_are_renewed_while_a_long_batch_runs() -> None:
    seen_leases: list[bool] = []
    work = FakeWork()

    def slow(context: HandlerContext) -> ElementOutcome:
        time.sleep(0.3)  # twice the 0.15 s lease
        row = work.state.elements[context.element.id]
        seen_leases.append(row.lease_until is not None and row.lease_until > utcnow())
        return ElementOutcome.success()

    h = Harness(ScriptedHandler(slow), lease=timedelta(seconds=0.15), work=work)
    op = work.add_operation(["slow"])
    h.run(op, ["slow"])

    assert work.state.renewals >= 2
    assert seen_leases == [True]  # never expired under the running handler, so never requeued
    assert work.elements(op.id)["slow"].status == ElStatus.SUCCEEDED


def test_a_raising_handler_is_retried_up_to_max_attempts_then_failed() -> None:
    def boom(_context: HandlerContext) -> ElementOutcome:
        raise RuntimeError("boom")

    handler = ScriptedHandler(boom)
    h = Harness(handler, max_attempts=3)
    op = h.work.add_operation(["d1"])
    h.run(op, ["d1"])

    assert handler.calls == ["d1", "d1", "d1"]
    element = h.work.elements(op.id)["d1"]
    assert (element.status, element.attempts) == (ElStatus.FAILED, 3)
    assert element.error_message == "failed after 3 attempt(s): RuntimeError: boom"
    assert len(h.producer.on(FAILED)) == 1  # the failure is reported on the failed-elements topic
    done = h.work.operations.operation(op.id)
    assert done is not None and done.status == OpStatus.FINISHED_WITH_ERRORS
    assert done.last_error == "d1: failed after 3 attempt(s): RuntimeError: boom"


def test_a_handler_that_recovers_succeeds_with_its_attempt_count() -> None:
    failures = iter([RuntimeError("flaky")])

    def flaky(_context: HandlerContext) -> ElementOutcome:
        error = next(failures, None)
        if error is not None:
            raise error
        return ElementOutcome.success(invocation="i-1")

    handler = ScriptedHandler(flaky)
    h = Harness(handler, max_attempts=3)
    op = h.work.add_operation(["d1"])
    h.run(op, ["d1"])

    element = h.work.elements(op.id)["d1"]
    assert (element.status, element.attempts, element.metadata) == (
        ElStatus.SUCCEEDED,
        2,
        {"invocation": "i-1"},
    )
    assert h.producer.on(FAILED) == []


def test_an_element_past_max_attempts_fails_at_its_next_error_without_retry() -> None:
    def boom(_context: HandlerContext) -> ElementOutcome:
        raise RuntimeError("still down")

    handler = ScriptedHandler(boom)
    h = Harness(handler, max_attempts=3)
    op = h.work.add_operation(["d1"])
    # Requeued after crashes: three attempts already counted.
    h.work.set_element(h.work.elements(op.id)["d1"].id, attempts=3)
    h.run(op, ["d1"])

    assert handler.calls == ["d1"]
    element = h.work.elements(op.id)["d1"]
    assert (element.status, element.attempts) == (ElStatus.FAILED, 4)


def test_a_failure_outcome_is_final_and_not_retried() -> None:
    handler = ScriptedHandler(lambda _c: ElementOutcome.failure("device refused"))
    h = Harness(handler, max_attempts=5)
    op = h.work.add_operation(["d1"])
    h.run(op, ["d1"])

    assert handler.calls == ["d1"]
    element = h.work.elements(op.id)["d1"]
    assert (element.status, element.attempts, element.error_message) == (ElStatus.FAILED, 1, "device refused")


def test_an_operation_finishes_once_with_exact_counts() -> None:
    fail = {"d1", "d4"}
    handler = ScriptedHandler(
        lambda c: ElementOutcome.failure("no") if c.element.device_token in fail else ElementOutcome.success()
    )
    h = Harness(handler)
    tokens = [f"d{i}" for i in range(5)]
    op = h.work.add_operation(tokens)

    h.run(op, tokens[:3])
    assert h.finished == []
    h.run(op, tokens[3:])
    h.run(op, tokens)  # the whole batch redelivered: nothing runs twice, nothing finishes twice

    assert sorted(handler.calls) == tokens
    assert [f.id for f in h.finished] == [op.id]
    done = h.work.operations.operation(op.id)
    assert done is not None and done.status == OpStatus.FINISHED_WITH_ERRORS
    assert (done.counts.succeeded, done.counts.failed, done.counts.unprocessed, done.counts.processing) == (
        3,
        2,
        0,
        0,
    )
    assert done.total_elements == 5
    assert len(h.producer.on(FAILED)) == 2


def test_records_of_deleted_or_finished_operations_are_skipped() -> None:
    handler = ScriptedHandler()
    h = Harness(handler)
    deleted = h.work.add_operation(["a"])
    finished = h.work.add_operation(["b"])
    records = [
        FakeRecord(encode_element_work(ElementWork(h.work.elements(deleted.id)["a"].id, deleted.id, "a"))),
        FakeRecord(encode_element_work(ElementWork(h.work.elements(finished.id)["b"].id, finished.id, "b"))),
    ]
    h.work.delete(deleted.id)
    h.work.state.operations[finished.id].update(status=OpStatus.FINISHED_SUCCESSFULLY)

    h.run_records(records)

    assert handler.calls == []
    assert h.dead_reasons() == []
    assert h.work.elements(finished.id)["b"].status == ElStatus.UNPROCESSED


def test_an_outcome_whose_claim_was_lost_is_not_recorded() -> None:
    """Recovery requeued the element while the handler ran (its lease looked expired): the late
    outcome is dropped, and the element is left to whoever claims it next."""
    work = FakeWork()

    def lose_claim(context: HandlerContext) -> ElementOutcome:
        work.set_element(context.element.id, status=ElStatus.UNPROCESSED)
        return ElementOutcome.success()

    h = Harness(ScriptedHandler(lose_claim), work=work)
    op = work.add_operation(["d1"])
    h.run(op, ["d1"])

    assert work.elements(op.id)["d1"].status == ElStatus.UNPROCESSED
    current = work.operations.operation(op.id)
    assert current is not None and current.status == OpStatus.INITIALIZED_SUCCESSFULLY
    assert (current.counts.succeeded, current.counts.unprocessed, current.counts.processing) == (0, 1, 0)
    assert h.finished == []


def test_held_claims_are_visible_only_while_their_batch_runs() -> None:
    work = FakeWork()
    seen: list[set[str]] = []
    h: Harness

    def look(context: HandlerContext) -> ElementOutcome:
        seen.append(h.processor.held_claims())
        return ElementOutcome.success()

    h = Harness(ScriptedHandler(look), work=work)
    op = work.add_operation(["d1"])
    claim_of: dict[uuid.UUID, str] = {}
    original = work.claims.claim

    def spy(wanted: Any, lease: timedelta) -> Any:
        claimed = original(wanted, lease)
        claim_of.update({c.element.id: c.claim for c in claimed})
        return claimed

    work.claims.claim = spy  # type: ignore[method-assign]
    h.run(op, ["d1"])

    assert seen == [set(claim_of.values())]
    assert h.processor.held_claims() == set()


def test_successes_are_stored_even_when_the_failure_report_cannot_be_sent() -> None:
    # The broker is away: the failed element's report cannot be sent, so its outcome stays
    # unstored and its record comes again. The successes of the same batch need no report and
    # must be stored at once, or they would all be invoked again (a broker restart under load
    # repeated 83 invocations that way).
    handler = ScriptedHandler(
        lambda c: (
            ElementOutcome.failure("no") if c.element.device_token == "bad" else ElementOutcome.success()
        )
    )
    h = Harness(handler)
    tokens = ["ok1", "bad", "ok2"]
    op = h.work.add_operation(tokens)
    h.producer.refuse(FAILED)

    with pytest.raises(PublishError):
        h.run(op, tokens)
    after = h.work.elements(op.id)
    assert (after["ok1"].status, after["ok2"].status) == (ElStatus.SUCCEEDED, ElStatus.SUCCEEDED)
    assert after["bad"].status == ElStatus.PROCESSING  # not stored yet: reported and stored first thing next

    # The counters of what it stored are written with the failed batch, not held for later.
    assert _counts(h, op) == (2, 0, 1)  # succeeded, failed, processing

    h.producer.accept(FAILED)
    h.run(op, tokens)  # the redelivered batch: the failure is reported and stored first
    assert sorted(handler.calls) == ["bad", "ok1", "ok2"]  # regression: "bad" ran again after its lease
    assert h.work.elements(op.id)["bad"].status == ElStatus.FAILED
    assert len(h.producer.on(FAILED)) == 1
    assert _counts(h, op) == (2, 1, 0)
    assert [f.id for f in h.finished] == [op.id]


def _counts(h: Harness, op: BatchOperation) -> tuple[int, int, int]:
    current = h.work.operations.operation(op.id)
    assert current is not None
    return (current.counts.succeeded, current.counts.failed, current.counts.processing)


def test_unreported_failures_kept_past_half_their_lease_are_left_to_it() -> None:
    # Their claims may lapse after that (renewed every third of the lease until the batch failed):
    # a report then might speak for an element another worker owns. So the retry reports nothing
    # and leaves them Processing until their leases end, as before.
    handler = ScriptedHandler(lambda c: ElementOutcome.failure("no"))
    h = Harness(handler)  # a 30 s lease
    op = h.work.add_operation(["bad"])
    h.producer.refuse(FAILED)
    with pytest.raises(PublishError):
        h.run(op, ["bad"])
    h.producer.accept(FAILED)
    kept = h.processor._unsent
    assert kept is not None
    h.processor._unsent = (kept[0], kept[1] - 16)  # as if the batch had failed 16 s ago

    h.run(op, ["bad"])
    assert h.producer.on(FAILED) == []
    assert h.work.elements(op.id)["bad"].status == ElStatus.PROCESSING


def test_an_unreported_failure_whose_claim_was_lost_meanwhile_runs_again() -> None:
    # The failed batch's claim did not outlive it (its lease ran out and another worker took the
    # element): the outcome kept for the retry stores nothing, and the element runs again.
    handler = ScriptedHandler(lambda c: ElementOutcome.failure("no"))
    h = Harness(handler)
    op = h.work.add_operation(["bad"])
    h.producer.refuse(FAILED)
    with pytest.raises(PublishError):
        h.run(op, ["bad"])
    element = h.work.elements(op.id)["bad"]
    h.work.set_element(element.id, claim="other-worker", lease_until=utcnow() - timedelta(seconds=1))

    h.producer.accept(FAILED)
    h.run(op, ["bad"])
    assert handler.calls == ["bad", "bad"]
    assert h.work.elements(op.id)["bad"].status == ElStatus.FAILED
    assert len(h.producer.on(FAILED)) == 2  # reported by both: at worst twice, never lost


def test_calls_under_way_when_a_failure_report_cannot_be_sent_are_stored_not_abandoned() -> None:
    # Regression: the flush that could not send a failure report (broker away) ended the batch at
    # once, abandoning the calls still running: their successes went unstored and ran again after
    # their lease (73 repeated invocations, above the bound of 64, in a wiped-broker CI run).
    def script(context: HandlerContext) -> ElementOutcome:
        if context.element.device_token == "bad":
            return ElementOutcome.failure("no")
        time.sleep(0.3)  # still running when the failure's report is refused
        return ElementOutcome.success()

    handler = ScriptedHandler(script)
    h = Harness(handler)  # four at a time: bad, s1, s2, s3 start; w1..w4 wait
    tokens = ["bad", "s1", "s2", "s3", "w1", "w2", "w3", "w4"]
    op = h.work.add_operation(tokens)
    h.producer.refuse(FAILED)

    with pytest.raises(PublishError):
        h.run(op, tokens)
    after = h.work.elements(op.id)
    assert sorted(handler.calls) == ["bad", "s1", "s2", "s3"]  # nothing started after the refusal
    assert {after[t].status for t in ("s1", "s2", "s3")} == {ElStatus.SUCCEEDED}
    for token in ("w1", "w2", "w3", "w4"):  # never ran: given back for the batch's redelivery
        assert (after[token].status, after[token].attempts) == (ElStatus.UNPROCESSED, 0)
    assert after["bad"].status == ElStatus.PROCESSING  # reported and stored on redelivery
    # Tried once: the calls under way do not each wait for a report that was just refused.
    assert h.producer.refusals[FAILED] == 1
