"""Operator control in the store, on a real MongoDB-protocol server: compare-and-set transitions,
exact counts through cancel and retry, elements' earlier rounds, the outbox events, and a retry
interrupted half-way left Paused (resumable), never inconsistent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from batchops.devstack import Endpoints
from batchops.domain import (
    BatchOperation,
    BatchOperationStatus,
    ElementProcessingStatus,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    OperationCreate,
)
from batchops.store import BatchStore, MongoConnector
from batchops.store.work.control import ControlRequest
from batchops.store.work.outcomes import ElementResult
from batchops.store.work_store import WorkStore

STRIDE = 1_000_000
_OP, _EL = BatchOperationStatus, ElementProcessingStatus
WHO = ControlRequest(by="alice", reason="because")


@pytest.fixture
def stores(servers: Endpoints, unique_name: str) -> Iterator[tuple[BatchStore, WorkStore]]:
    connector = MongoConnector(servers.mongo_uri, "storetest-")
    database = connector.tenant_database(unique_name)
    yield BatchStore(database, target_chunk_size=100), WorkStore(database)
    connector.drop_tenant_database(unique_name)
    connector.close()


def _initialized(batch: BatchStore, work: WorkStore, count: int) -> BatchOperation:
    tokens = [f"d{i}" for i in range(count)]
    op = batch.create_operation(OperationCreate(operation_type="Custom"), tokens)
    work.initialization.begin_initialization(op.id)
    present = work.initialization.insert_chunk_elements(op.id, 0, STRIDE, tokens)
    work.initialization.mark_chunk_initialized(op.id, 0, present)
    done = work.initialization.complete_initialization(op.id)
    assert done is not None and done.status == _OP.INITIALIZED_SUCCESSFULLY
    return done


def _run(work: WorkStore, op: BatchOperation, count: int, fail: frozenset[str] = frozenset()) -> None:
    """Claim ``count`` elements and record their outcomes (those in ``fail`` failed)."""
    wanted = {e.id: op.id for e in list(work.recovery.unprocessed_elements(op.id))[:count]}
    claimed = work.claims.claim(wanted, timedelta(seconds=60))
    results = [
        ElementResult(c.element.id, op.id, succeeded=c.element.device_token not in fail, error="boom")
        for c in claimed
    ]
    work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed})


def _events(work: WorkStore, op: BatchOperation) -> list[tuple[str, str | None, str]]:
    doc = work.collections.operations.find_one({"_id": str(op.id)}) or {}
    return [(e["kind"], e["old"], e["new"]) for e in doc.get("pendingEvents", [])]


def test_pause_and_resume_keep_the_phase_and_refuse_what_the_status_does_not_allow(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    batch, work = stores
    op = _initialized(batch, work, 10)
    paused = work.control.pause(op.id, WHO)
    assert (paused.status, paused.paused_phase) == (_OP.PAUSED, _OP.INITIALIZED_SUCCESSFULLY)
    assert paused.last_control is not None
    assert (paused.last_control.action, paused.last_control.username, paused.last_control.reason) == (
        "pause",
        "alice",
        "because",
    )
    with pytest.raises(FailedPrecondition, match="already paused"):
        work.control.pause(op.id, WHO)
    running = _initialized(batch, work, 1)
    with pytest.raises(FailedPrecondition, match="retry it once it ended"):
        work.control.retry(running.id, [], "", WHO)
    resumed = work.control.resume(op.id, WHO)
    assert (resumed.status, resumed.paused_phase) == (_OP.INITIALIZED_SUCCESSFULLY, None)
    with pytest.raises(FailedPrecondition, match="not Paused"):
        work.control.resume(op.id, WHO)
    with pytest.raises(NotFound):
        work.control.pause(uuid.uuid4(), WHO)
    assert [kind for kind, _old, _new in _events(work, op)][-2:] == ["paused", "resumed"]


def test_graceful_cancel_waits_for_running_elements_then_counts_exactly(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    batch, work = stores
    op = _initialized(batch, work, 20)
    _run(work, op, 5)
    wanted = {e.id: op.id for e in list(work.recovery.unprocessed_elements(op.id))[:3]}
    running = work.claims.claim(wanted, timedelta(seconds=60))
    canceling = work.control.cancel(op.id, False, WHO)
    assert canceling.status == _OP.CANCELING
    assert work.control.settle(op.id) is None  # three still running
    # The running ones finish and are recorded (their claim still holds).
    results = [ElementResult(c.element.id, op.id, succeeded=True) for c in running]
    assert work.outcomes.record_results(results, {c.element.id: c.claim for c in running}) == 3
    final = work.control.settle(op.id)
    assert final is not None and final.status == _OP.CANCELED
    assert (final.counts.succeeded, final.counts.canceled, final.total_elements) == (8, 12, 20)
    assert (final.counts.unprocessed, final.counts.processing, final.counts.failed) == (0, 0, 0)
    assert [kind for kind, _old, _new in _events(work, op)][-2:] == ["canceling", "canceled"]
    with pytest.raises(FailedPrecondition, match="final operation"):
        work.control.cancel(op.id, True, WHO)


def test_forced_cancel_takes_running_elements_and_discards_their_late_outcomes(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    batch, work = stores
    op = _initialized(batch, work, 10)
    wanted = {e.id: op.id for e in list(work.recovery.unprocessed_elements(op.id))[:4]}
    running = work.claims.claim(wanted, timedelta(seconds=60))
    work.control.cancel(op.id, True, WHO)
    final = work.control.settle(op.id)
    assert final is not None and final.status == _OP.CANCELED
    assert (final.counts.canceled, final.total_elements) == (10, 10)
    late = [ElementResult(c.element.id, op.id, succeeded=True) for c in running]
    assert work.outcomes.record_results(late, {c.element.id: c.claim for c in running}) == 0
    after = work.operations.operation(op.id)
    assert after is not None and (after.counts.succeeded, after.counts.canceled) == (0, 10)


def test_retry_sends_back_only_the_matching_elements_as_a_new_round(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    batch, work = stores
    op = _initialized(batch, work, 10)
    _run(work, op, 10, fail=frozenset({"d1", "d2", "d3"}))
    work.collections.elements.update_one({"op": str(op.id), "token": "d3"}, {"$set": {"error": "other"}})
    finished = work.finishing.finish_if_complete(op.id)
    assert finished is not None and finished.status == _OP.FINISHED_WITH_ERRORS
    with pytest.raises(InvalidArgument, match="Only Failed and Canceled"):
        work.control.retry(op.id, [_EL.SUCCEEDED], "", WHO)
    with pytest.raises(FailedPrecondition, match="no element to retry"):
        work.control.retry(op.id, [], "nothing like this", WHO)
    result = work.control.retry(op.id, [_EL.FAILED], "boom", WHO)
    assert result.retried == 2
    again = result.operation
    assert (again.status, again.round) == (_OP.INITIALIZED_SUCCESSFULLY, 1)
    assert (again.counts.unprocessed, again.counts.failed, again.counts.succeeded) == (2, 1, 7)
    retried = {e.device_token: e for e in work.recovery.unprocessed_elements(op.id)}
    assert set(retried) == {"d1", "d2"}
    for element in retried.values():
        assert (element.round, element.attempts, element.error_message) == (1, 0, "")
        (earlier,) = element.earlier_rounds
        assert (earlier.round, earlier.status, earlier.error_message, earlier.attempts) == (
            0,
            _EL.FAILED,
            "boom",
            1,
        )
    _run(work, again, 2)
    done = work.finishing.finish_if_complete(op.id)
    # d3 still failed: finished with errors again, counts exact.
    assert done is not None and done.status == _OP.FINISHED_WITH_ERRORS
    assert (done.counts.succeeded, done.counts.failed, done.total_elements) == (9, 1, 10)
    assert ("retried", "FinishedWithErrors", "InitializedSuccessfully") in _events(work, op)


def test_a_retry_interrupted_half_way_leaves_the_operation_paused(
    stores: tuple[BatchStore, WorkStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    batch, work = stores
    op = _initialized(batch, work, 5)
    _run(work, op, 5, fail=frozenset({"d0"}))
    assert work.finishing.finish_if_complete(op.id) is not None

    def crash(*_args: object) -> int:
        raise ConnectionError("process died here")

    monkeypatch.setattr(work.control, "_send_back", crash)
    with pytest.raises(ConnectionError):
        work.control.retry(op.id, [], "", WHO)
    held = work.operations.operation(op.id)
    assert held is not None and (held.status, held.paused_phase) == (_OP.PAUSED, _OP.INITIALIZED_SUCCESSFULLY)
    monkeypatch.undo()
    # The operator sees it paused and carries on: the retry applies to the paused operation.
    result = work.control.retry(op.id, [], "", WHO)
    assert result.retried == 1 and result.operation.status == _OP.PAUSED
    resumed = work.control.resume(op.id, WHO)
    assert resumed.status == _OP.INITIALIZED_SUCCESSFULLY
    assert resumed.counts.unprocessed == 1 and resumed.counts.succeeded == 4


@pytest.mark.parametrize("force", [False, True], ids=["graceful", "forced"])
def test_elements_handed_back_while_a_cancel_settles_end_canceled_too(
    stores: tuple[BatchStore, WorkStore], monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    """Regression: a processor handing back its unstarted elements (Processing -> Unprocessed)
    just after the settle's pass over Unprocessed left them Unprocessed under a Canceled
    operation (50 in a forced-cancel run)."""
    batch, work = stores
    op = _initialized(batch, work, 10)
    wanted = {e.id: op.id for e in list(work.recovery.unprocessed_elements(op.id))[:4]}
    claimed = work.claims.claim(wanted, timedelta(seconds=60))
    work.control.cancel(op.id, force, WHO)
    real = work.control._cancel_elements
    handed: list[int] = []

    def then_hand_back(operation_id: uuid.UUID, status: ElementProcessingStatus) -> int:
        moved = real(operation_id, status)
        if status == _EL.UNPROCESSED and not handed:
            handed.append(work.claims.hand_back(claimed))  # the processor, right after this pass
        return moved

    monkeypatch.setattr(work.control, "_cancel_elements", then_hand_back)
    final = work.control.settle(op.id)
    assert final is not None and final.status == _OP.CANCELED
    assert handed == [0 if force else 4]  # forced: they were Canceled first, nothing to hand back
    assert (final.counts.unprocessed, final.counts.processing, final.counts.canceled) == (0, 0, 10)
    assert work.collections.elements.count_documents({"op": str(op.id), "status": "Unprocessed"}) == 0
