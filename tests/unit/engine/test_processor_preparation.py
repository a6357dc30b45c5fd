"""The processor's batch preparation and its counter writes, against in-memory fakes: a handler
that prepares gets one call per operation and batch and sees the result in every element's
context; a failed preparation leaves the elements to handle unprepared; the counters taken off
ahead (``spare``) never put a counter above what it counts and come back exact."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from fakes import ElStatus, FakeOutcomes, FakeWork
from test_processor_rules import Harness, ScriptedHandler

from batchops.engine.handlers import ElementOutcome, HandlerBatch, HandlerContext, PreparingHandler
from batchops.store.counters import Owed
from batchops.store.work.outcomes import ElementResult


class PreparingScriptedHandler(ScriptedHandler):
    def __init__(self, fail: bool = False) -> None:
        super().__init__(self._check)
        self.fail = fail
        self.batches: list[list[str]] = []
        self.seen: list[object] = []
        self._seen_lock = threading.Lock()

    def prepare(self, batch: HandlerBatch) -> object:
        self.batches.append([e.device_token for e in batch.elements])
        if self.fail:
            raise RuntimeError("device management said no")
        return {"prepared-for": frozenset(e.device_token for e in batch.elements)}

    def _check(self, context: HandlerContext) -> ElementOutcome:
        with self._seen_lock:
            self.seen.append(context.prepared)
        return ElementOutcome.success()


def test_a_preparing_handler_prepares_once_per_batch_and_every_element_sees_it() -> None:
    handler = PreparingScriptedHandler()
    assert isinstance(handler, PreparingHandler)
    h = Harness(handler)
    tokens = [f"d{i}" for i in range(12)]
    op = h.work.add_operation(tokens)

    h.run(op, tokens)

    assert [sorted(b) for b in handler.batches] == [sorted(tokens)]
    assert handler.seen == [{"prepared-for": frozenset(tokens)}] * len(tokens)
    assert [f.id for f in h.finished] == [op.id]


def test_a_failed_preparation_leaves_the_elements_to_be_handled_unprepared() -> None:
    handler = PreparingScriptedHandler(fail=True)
    h = Harness(handler)
    tokens = [f"d{i}" for i in range(6)]
    op = h.work.add_operation(tokens)

    h.run(op, tokens)

    assert len(handler.batches) == 1
    assert handler.seen == [None] * len(tokens)
    assert {e.status for e in h.work.elements(op.id).values()} == {ElStatus.SUCCEEDED}


class CheckedOutcomes(FakeOutcomes):
    """After every write, no counter of an operation may count more elements than have its status."""

    def __init__(self, work: FakeWork) -> None:
        super().__init__(work.state)
        self._work = work
        self.writes = 0

    def record_results(
        self,
        results: Sequence[ElementResult],
        claims: Mapping[Any, str],
        owed: Owed | None = None,
        spare: Mapping[str, int] | None = None,
    ) -> int:
        recorded = super().record_results(results, claims, owed, spare)
        self.writes += 1
        self.assert_never_ahead()
        return recorded

    def settle(self, owed: Owed) -> None:
        super().settle(owed)
        self.assert_never_ahead()

    def assert_never_ahead(self) -> None:
        for row in self._work.state.operations.values():
            actual = {s: 0 for s in ElStatus}
            for element in self._work.state.of_operation(row.operation.id):
                actual[element.element.status] += 1
            for status, count in actual.items():
                assert 0 <= row.operation.counts.of(status) <= count, (status, row.operation.counts)


def test_counters_taken_off_ahead_are_never_above_the_elements_and_end_exact() -> None:
    work = FakeWork()
    checked = CheckedOutcomes(work)
    work.outcomes = checked
    h = Harness(ScriptedHandler(), work=work)  # concurrency 4: spare 16 per counter write
    tokens = [f"d{i}" for i in range(41)]  # not a multiple of the flushes: the last takes fewer
    op = work.add_operation(tokens)

    h.run(op, tokens)

    assert checked.writes >= 1
    counts = work.operations.operation(op.id).counts  # type: ignore[union-attr]
    assert (counts.succeeded, counts.processing, counts.unprocessed) == (41, 0, 0)
