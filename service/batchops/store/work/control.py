"""Operator control of an operation in the store: pause, resume, cancel, retry.

Each call is a compare-and-set on the status it read (two racing calls: one wins, the other
re-reads and is refused or applies to what the winner left), and carries its status event in the
same write (``store.events``). Element moves keep the counters' rule (``store.counters``): lowered
before, raised after, so they lag and never run ahead; a Canceled operation gets its exact counts
from its elements, as finishing does.

Cancel and retry take several writes; each intermediate state is visible and safe to continue
from: a Canceling operation is settled by whoever looks next (the processor, the initializer,
recovery's sweep), and a retry that stopped half-way leaves the operation Paused.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from batchops.domain import (
    BatchOperation,
    BatchOperationStatus,
    ConcurrentUpdate,
    ElementProcessingStatus,
    ErrorCode,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from batchops.store.batch_store import utcnow
from batchops.store.counters import arrive, leave
from batchops.store.documents import Document, control_document, operation_from_document, zero_counts
from batchops.store.events import EventKind, StatusEvent, with_event
from batchops.store.fields import (
    ATTEMPTS,
    CLAIM,
    CONTROL,
    COUNTS,
    DURATION_MS,
    EARLIER_ROUNDS,
    ENDED_DATE,
    ERROR,
    FORCE_CANCEL,
    ID,
    LEASE_UNTIL,
    OP,
    PROCESSED_DATE,
    RESUME_PHASE,
    ROUND,
    STATUS,
    TOTAL,
    UPDATED_BY,
    UPDATED_DATE,
)
from batchops.store.work.collections import WorkCollections

_OP = BatchOperationStatus
_EL = ElementProcessingStatus
_CAS_ATTEMPTS = 8
MAX_REASON_CHARS = 1_000
MAX_ERROR_FILTER_CHARS = 1_000
# How an element ended in each earlier round is kept, up to this many rounds (the latest ones).
MAX_EARLIER_ROUNDS = 20
RETRYABLE_ELEMENT_STATUSES = frozenset({_EL.FAILED, _EL.CANCELED})
_INITIALIZED = (_OP.INITIALIZED_SUCCESSFULLY, _OP.INITIALIZED_WITH_ERRORS)


@dataclass(frozen=True)
class ControlRequest:
    """Who asks, and why (kept with the operation and in its event)."""

    by: str | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if len(self.reason) > MAX_REASON_CHARS:
            raise InvalidArgument(f"Reason is longer than {MAX_REASON_CHARS} characters.")


@dataclass(frozen=True)
class _Change:
    """What one control step writes: the new status, other fields, and its event (if any)."""

    status: BatchOperationStatus
    fields: Document
    kind: EventKind | None
    round: int | None = None


@dataclass(frozen=True)
class RetryResult:
    operation: BatchOperation
    retried: int


class Control:
    def __init__(self, collections: WorkCollections) -> None:
        self._operations = collections.operations
        self._elements = collections.elements

    # ---- pause / resume ---------------------------------------------------------------------

    def pause(self, operation_id: uuid.UUID, request: ControlRequest) -> BatchOperation:
        def change(current: BatchOperation, doc: Document) -> _Change:
            if current.status == _OP.PAUSED:
                raise _refused(current, "is already paused")
            if not current.status.runs:
                raise _refused(current, f"is {current.status.value}; only a running operation can be paused")
            return _Change(_OP.PAUSED, {RESUME_PHASE: current.status.value}, EventKind.PAUSED)

        return self._transition(operation_id, "pause", request, change)

    def resume(self, operation_id: uuid.UUID, request: ControlRequest) -> BatchOperation:
        def change(current: BatchOperation, doc: Document) -> _Change:
            if current.status != _OP.PAUSED:
                raise _refused(current, f"is {current.status.value}, not Paused; only a paused one resumes")
            return _Change(_resume_phase(doc), {}, EventKind.RESUMED)

        return self._transition(operation_id, "resume", request, change)

    # ---- cancel -----------------------------------------------------------------------------

    def cancel(self, operation_id: uuid.UUID, force: bool, request: ControlRequest) -> BatchOperation:
        """Any non-final status -> Canceling; ``settle`` then cancels its never-run elements (with
        ``force`` its running ones too) and makes it Canceled as soon as no element is Processing.
        Canceling again with force upgrades a graceful cancel."""

        def change(current: BatchOperation, doc: Document) -> _Change:
            if current.status.is_final:
                raise _refused(current, f"is {current.status.value}; a final operation cannot be canceled")
            if current.status == _OP.CANCELING and (not force or doc.get(FORCE_CANCEL)):
                raise _refused(current, "is already being canceled")
            phase = doc.get(RESUME_PHASE) if current.status in (_OP.PAUSED, _OP.CANCELING) else None
            fields = {RESUME_PHASE: phase or current.status.value, FORCE_CANCEL: force}
            kind = None if current.status == _OP.CANCELING else EventKind.CANCELING
            return _Change(_OP.CANCELING, fields, kind)

        return self._transition(operation_id, "force-cancel" if force else "cancel", request, change)

    def settle(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Carry a Canceling operation on: cancel its elements that never ran (some may have been
        handed back or inserted since the cancel), with force its running ones too, and once
        none is Processing, make it Canceled with exact counts. For a Canceled one, cancel and
        count in elements a late writer added. Returns the operation if it became Canceled."""
        doc = self._operations.find_one({ID: str(operation_id)}, {STATUS: 1, FORCE_CANCEL: 1})
        if doc is None or doc[STATUS] not in (_OP.CANCELING.value, _OP.CANCELED.value):
            return None
        if doc[STATUS] == _OP.CANCELED.value:
            if self._cancel_elements(operation_id, _EL.UNPROCESSED):
                self._operations.update_one(
                    {ID: str(operation_id)}, {"$set": self._exact_counts(operation_id)}
                )
            return None
        # Running ones first: a processor handing one back (Processing -> Unprocessed) after
        # this finds it Canceled already, or lands before the Unprocessed pass.
        if doc.get(FORCE_CANCEL):
            self._cancel_elements(operation_id, _EL.PROCESSING)
        self._cancel_elements(operation_id, _EL.UNPROCESSED)
        if self._elements.count_documents({OP: str(operation_id), STATUS: _EL.PROCESSING.value}, limit=1):
            return None
        # Nothing runs now, so nothing can be handed back any more: a last pass takes those that
        # were between the first pass and the count.
        self._cancel_elements(operation_id, _EL.UNPROCESSED)
        now = utcnow()
        update = {"$set": {STATUS: _OP.CANCELED.value, ENDED_DATE: now, UPDATED_DATE: now}}
        update["$set"].update(self._exact_counts(operation_id))
        current = self._read(operation_id)
        event = StatusEvent(EventKind.CANCELED, _OP.CANCELING, _OP.CANCELED, now, round=current.round)
        result = self._operations.update_one(
            {ID: str(operation_id), STATUS: _OP.CANCELING.value}, with_event(update, event)
        )
        return self._read(operation_id) if result.modified_count else None

    def _cancel_elements(self, operation_id: uuid.UUID, status: ElementProcessingStatus) -> int:
        """``status`` -> Canceled for the operation's elements in it; returns how many moved."""
        op = str(operation_id)
        doc = self._operations.find_one({ID: op}, {COUNTS: 1}) or {}
        expected = max(int((doc.get(COUNTS) or {}).get(status.value, 0)), 0)
        leave(self._operations, op, status, expected)
        moved = self._elements.update_many(
            {OP: op, STATUS: status.value},
            {"$set": {STATUS: _EL.CANCELED.value, PROCESSED_DATE: utcnow(), CLAIM: None, LEASE_UNTIL: None}},
        ).modified_count
        arrive(self._operations, op, status, _EL.CANCELED, attempted=expected, moved=moved)
        return moved

    def _exact_counts(self, operation_id: uuid.UUID) -> Document:
        counts = zero_counts()
        pipeline: list[Document] = [
            {"$match": {OP: str(operation_id)}},
            {"$group": {ID: f"${STATUS}", "n": {"$sum": 1}}},
        ]
        for row in self._elements.aggregate(pipeline):
            counts[row[ID]] = row["n"]
        return {COUNTS: counts, TOTAL: sum(counts.values())}

    # ---- retry ------------------------------------------------------------------------------

    def retry(
        self,
        operation_id: uuid.UUID,
        statuses: Collection[ElementProcessingStatus],
        error_contains: str,
        request: ControlRequest,
    ) -> RetryResult:
        """Elements of a finished, canceled or paused operation in ``statuses`` (whose error
        contains ``error_contains``) go back to Unprocessed as a new round; a finished or canceled
        operation goes back to its initialized phase and is processed and finished again."""
        wanted = _retry_statuses(statuses)
        if len(error_contains) > MAX_ERROR_FILTER_CHARS:
            raise InvalidArgument(f"errorContains is longer than {MAX_ERROR_FILTER_CHARS} characters.")
        current = self._read(operation_id)
        selection = _selection(operation_id, wanted, error_contains)
        if current.status not in (_OP.PAUSED, _OP.CANCELED) and not current.status.is_finished:
            raise _refused(current, f"is {current.status.value}; retry it once it ended, or pause it first")
        if not self._elements.count_documents(selection, limit=1):
            raise _refused(current, "has no element to retry with those statuses and that error text")
        if current.status == _OP.PAUSED:
            paused = self._transition(operation_id, "retry", request, _next_round(current, EventKind.RETRIED))
            return RetryResult(paused, self._send_back(paused, selection, wanted))
        return self._retry_ended(current, selection, wanted, request)

    def _retry_ended(
        self,
        ended: BatchOperation,
        selection: Document,
        wanted: Collection[ElementProcessingStatus],
        request: ControlRequest,
    ) -> RetryResult:
        """Finished/Canceled -> Paused (quietly: nothing runs while elements move) -> its
        initialized phase with exact counts. A crash in between leaves it Paused: resumable."""

        def hold(current: BatchOperation, doc: Document) -> _Change:
            if current.status != ended.status or current.round != ended.round:
                raise _refused(current, "changed meanwhile (another retry?); look again")
            phase = _resume_phase(doc)
            if phase not in _INITIALIZED:
                raise _refused(
                    current, "was canceled before its targets were all initialized; create it anew"
                )
            return _Change(_OP.PAUSED, {RESUME_PHASE: phase.value, ENDED_DATE: None}, None, ended.round + 1)

        held = self._transition(ended.id, "retry", request, hold)
        retried = self._send_back(held, selection, wanted)

        def release(current: BatchOperation, doc: Document) -> _Change:
            if current.status != _OP.PAUSED or current.round != held.round:
                raise _refused(current, "changed meanwhile; look again")
            return _Change(_resume_phase(doc), self._exact_counts(ended.id), EventKind.RETRIED)

        return RetryResult(self._transition(ended.id, "retry", request, release, old=ended.status), retried)

    def _send_back(
        self, operation: BatchOperation, selection: Document, wanted: Collection[ElementProcessingStatus]
    ) -> int:
        """The selected elements -> Unprocessed in ``operation``'s round, keeping how they ended."""
        op = str(operation.id)
        expected = {status: operation.counts.of(status) for status in wanted}
        for status, count in expected.items():
            leave(self._operations, op, status, count)
        moved = self._elements.update_many(selection, [{"$set": _new_round_fields(operation.round)}])
        arrived = self._moved_by_status(operation.id, operation.round, wanted)
        for status, count in expected.items():
            arrive(
                self._operations, op, status, _EL.UNPROCESSED, attempted=count, moved=arrived.get(status, 0)
            )
        return moved.modified_count

    def _moved_by_status(
        self, operation_id: uuid.UUID, round_: int, wanted: Collection[ElementProcessingStatus]
    ) -> Mapping[ElementProcessingStatus, int]:
        """How many elements of each retried status entered ``round_`` (read from the round they left)."""
        pipeline: list[Document] = [
            {"$match": {OP: str(operation_id), ROUND: round_, STATUS: _EL.UNPROCESSED.value}},
            {"$project": {"last": {"$arrayElemAt": [f"${EARLIER_ROUNDS}", -1]}}},
            {"$group": {ID: f"$last.{STATUS}", "n": {"$sum": 1}}},
        ]
        rows = {row[ID]: row["n"] for row in self._elements.aggregate(pipeline)}
        return {status: int(rows.get(status.value, 0)) for status in wanted}

    # ---- the compare-and-set ----------------------------------------------------------------

    def _transition(
        self,
        operation_id: uuid.UUID,
        action: str,
        request: ControlRequest,
        change: Callable[[BatchOperation, Document], _Change],
        *,
        old: BatchOperationStatus | None = None,
    ) -> BatchOperation:
        for _ in range(_CAS_ATTEMPTS):
            doc = self._operations.find_one({ID: str(operation_id)})
            if doc is None:
                raise _not_found(operation_id)
            current = operation_from_document(doc)
            step = change(current, doc)
            now = utcnow()
            round_ = current.round if step.round is None else step.round
            update: Document = {
                "$set": {
                    STATUS: step.status.value,
                    ROUND: round_,
                    UPDATED_DATE: now,
                    UPDATED_BY: request.by,
                    CONTROL: control_document(action, request.by, now, request.reason),
                    **step.fields,
                }
            }
            if step.kind is not None:
                event = StatusEvent(
                    step.kind, old or current.status, step.status, now, request.reason, request.by, round_
                )
                update = with_event(update, event)
            result = self._operations.update_one(
                {ID: str(operation_id), STATUS: current.status.value, ROUND: _stored_round(doc)}, update
            )
            if result.modified_count:
                return self._read(operation_id)
        raise ConcurrentUpdate(f"Batch operation '{operation_id}'")

    def _read(self, operation_id: uuid.UUID) -> BatchOperation:
        doc = self._operations.find_one({ID: str(operation_id)})
        if doc is None:
            raise _not_found(operation_id)
        return operation_from_document(doc)


def _retry_statuses(statuses: Collection[ElementProcessingStatus]) -> frozenset[ElementProcessingStatus]:
    wanted = frozenset(statuses) or frozenset({_EL.FAILED})
    other = wanted - RETRYABLE_ELEMENT_STATUSES
    if other:
        names = ", ".join(sorted(s.value for s in other))
        raise InvalidArgument(f"Only Failed and Canceled elements can be retried, not {names}.")
    return wanted


def _selection(
    operation_id: uuid.UUID, statuses: Collection[ElementProcessingStatus], error_contains: str
) -> Document:
    selection: Document = {OP: str(operation_id), STATUS: {"$in": sorted(s.value for s in statuses)}}
    if error_contains:
        selection[ERROR] = {"$regex": re.escape(error_contains)}
    return selection


def _new_round_fields(round_: int) -> Document:
    """An element's fields for a new round (an update pipeline: it keeps its own last outcome)."""
    ended = {
        ROUND: {"$ifNull": [f"${ROUND}", 0]},
        STATUS: f"${STATUS}",
        ERROR: f"${ERROR}",
        ATTEMPTS: f"${ATTEMPTS}",
        PROCESSED_DATE: f"${PROCESSED_DATE}",
    }
    history = {"$concatArrays": [{"$ifNull": [f"${EARLIER_ROUNDS}", []]}, [ended]]}
    return {
        EARLIER_ROUNDS: {"$slice": [history, -MAX_EARLIER_ROUNDS]},
        STATUS: _EL.UNPROCESSED.value,
        ROUND: round_,
        ATTEMPTS: 0,
        ERROR: "",
        DURATION_MS: 0,
        PROCESSED_DATE: None,
        CLAIM: None,
        LEASE_UNTIL: None,
    }


def _next_round(current: BatchOperation, kind: EventKind) -> Callable[[BatchOperation, Document], _Change]:
    def change(now_current: BatchOperation, doc: Document) -> _Change:
        if now_current.status != current.status or now_current.round != current.round:
            raise _refused(now_current, "changed meanwhile; look again")
        return _Change(now_current.status, {}, kind, current.round + 1)

    return change


def _resume_phase(doc: Mapping[str, Any]) -> BatchOperationStatus:
    """The phase stored for a paused, canceled or finished operation (initialized if unknown:
    an operation finished before phases were kept had completed its initialization)."""
    phase = doc.get(RESUME_PHASE)
    if phase:
        return BatchOperationStatus(phase)
    return _OP.INITIALIZED_SUCCESSFULLY


def _stored_round(doc: Mapping[str, Any]) -> Any:
    """Filter value matching the stored round, including a document that has none yet."""
    return doc.get(ROUND, {"$exists": False})


def _refused(operation: BatchOperation, why: str) -> FailedPrecondition:
    return FailedPrecondition(f"Batch operation '{operation.token}' {why}.")


def _not_found(operation_id: uuid.UUID) -> NotFound:
    return NotFound(ErrorCode.INVALID_BATCH_OPERATION_ID, f"Batch operation id '{operation_id}' not found.")
