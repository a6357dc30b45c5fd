"""The operation events outbox: every status change of an operation appends an event to the
operation document *in the same write* as the change, so an event exists exactly when its change
does (a crash between a change and a separate publish can neither lose nor invent one). The
engine's event relay publishes pending events to the tenant's ``batch-operation-events`` topic and
removes them once the broker has them (at least once; consumers drop repeats by sequence).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.store.documents import Document
from batchops.store.fields import EVENT_SEQ, EVENTS_PENDING, ID, PENDING_EVENTS

EVENT_ID = "id"
EVENT_KIND = "kind"
EVENT_OLD = "old"
EVENT_NEW = "new"
EVENT_REASON = "reason"
EVENT_BY = "by"
EVENT_DATE = "date"
EVENT_ROUND = "round"
# Events an operation can hold unpublished (a broker away for long): the oldest are dropped past
# this, so an operation document never grows without bound.
MAX_PENDING_EVENTS = 100
MAX_REASON_CHARS = 1_000


class EventKind(StrEnum):
    CREATED = "created"
    INITIALIZING = "initializing"
    INITIALIZED = "initialized"
    PAUSED = "paused"
    RESUMED = "resumed"
    CANCELING = "canceling"
    CANCELED = "canceled"
    FINISHED = "finished"
    RETRIED = "retried"


@dataclass(frozen=True)
class StatusEvent:
    """One change of an operation's status, as stored in its outbox."""

    kind: EventKind
    old: BatchOperationStatus | None
    new: BatchOperationStatus
    date: datetime
    reason: str = ""
    by: str | None = None
    round: int = 0

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> StatusEvent:
        """The event as stored (raises KeyError or ValueError on a malformed one)."""
        old = doc.get(EVENT_OLD)
        return cls(
            kind=EventKind(doc[EVENT_KIND]),
            old=BatchOperationStatus(old) if old is not None else None,
            new=BatchOperationStatus(doc[EVENT_NEW]),
            date=doc[EVENT_DATE],
            reason=doc.get(EVENT_REASON) or "",
            by=doc.get(EVENT_BY),
            round=int(doc.get(EVENT_ROUND) or 0),
        )

    def document(self) -> Document:
        return {
            EVENT_ID: uuid.uuid4().hex,
            EVENT_KIND: self.kind.value,
            EVENT_OLD: self.old.value if self.old is not None else None,
            EVENT_NEW: self.new.value,
            EVENT_DATE: self.date,
            EVENT_REASON: self.reason[:MAX_REASON_CHARS],
            EVENT_BY: self.by,
            EVENT_ROUND: self.round,
        }


# The event an update to each status stands for (UpdateBatchOperation and the engine's own steps).
_KIND_OF_STATUS: dict[BatchOperationStatus, EventKind] = {
    BatchOperationStatus.UNPROCESSED: EventKind.CREATED,
    BatchOperationStatus.INITIALIZING: EventKind.INITIALIZING,
    BatchOperationStatus.INITIALIZED_SUCCESSFULLY: EventKind.INITIALIZED,
    BatchOperationStatus.INITIALIZED_WITH_ERRORS: EventKind.INITIALIZED,
    BatchOperationStatus.FINISHED_SUCCESSFULLY: EventKind.FINISHED,
    BatchOperationStatus.FINISHED_WITH_ERRORS: EventKind.FINISHED,
    BatchOperationStatus.PAUSED: EventKind.PAUSED,
    BatchOperationStatus.CANCELING: EventKind.CANCELING,
    BatchOperationStatus.CANCELED: EventKind.CANCELED,
}


def kind_for_status(new: BatchOperationStatus) -> EventKind:
    """The kind of event a change *to* ``new`` is (resumed and retried are told by their calls:
    they return to a running status)."""
    return _KIND_OF_STATUS[new]


def created_event(operation: BatchOperation) -> StatusEvent:
    """The "created" event of a new operation."""
    return StatusEvent(
        EventKind.CREATED,
        None,
        operation.status,
        operation.created_date,
        by=operation.created_by,
        round=operation.round,
    )


def status_set_event(
    current: BatchOperation, new: BatchOperationStatus | None, date: datetime, by: str | None
) -> StatusEvent | None:
    """The event of UpdateBatchOperation setting the status ``new`` (None: no status change)."""
    if new is None or new == current.status:
        return None
    return StatusEvent(
        kind_for_status(new),
        current.status,
        new,
        date,
        reason="UpdateBatchOperation",
        by=by,
        round=current.round,
    )


def with_event(update: Mapping[str, Any], event: StatusEvent) -> Document:
    """``update`` (a MongoDB update document) that also appends ``event`` to the outbox and
    counts it in the operation's event sequence."""
    merged: Document = {key: dict(value) for key, value in update.items()}
    merged.setdefault("$push", {})[PENDING_EVENTS] = {
        "$each": [event.document()],
        "$slice": -MAX_PENDING_EVENTS,
    }
    merged.setdefault("$inc", {})[EVENT_SEQ] = 1
    merged.setdefault("$set", {})[EVENTS_PENDING] = True
    return merged


def new_operation_outbox(event: StatusEvent) -> Document:
    """The outbox fields of a newly inserted operation document (its "created" event)."""
    return {PENDING_EVENTS: [event.document()], EVENT_SEQ: 1, EVENTS_PENDING: True}


def pending_filter() -> Document:
    """Operations with events not yet published (through the sparse index on the flag)."""
    return {EVENTS_PENDING: True}


def emptied(operation_id: str) -> tuple[Document, Document]:
    """Filter and update that drop the pending flag of an operation whose outbox is empty: a
    separate write after removing published events, so an event appended in between (the outbox
    not empty then) keeps it, and one appended after sets it again."""
    return {ID: operation_id, EVENTS_PENDING: True, PENDING_EVENTS: {"$size": 0}}, {
        "$unset": {EVENTS_PENDING: ""}
    }


def unflagged_pending_filter() -> Document:
    """Operations with pending events but no flag (written before the flag existed)."""
    return {f"{PENDING_EVENTS}.0": {"$exists": True}, EVENTS_PENDING: {"$exists": False}}


def published_update(event_ids: list[str]) -> Document:
    """Remove the events the broker has taken (by id: events appended meanwhile stay)."""
    return {"$pull": {PENDING_EVENTS: {EVENT_ID: {"$in": event_ids}}}}


def first_sequence(doc: Mapping[str, Any]) -> int:
    """The sequence number of the first pending event of an operation document read whole: the
    counter counts every event ever appended, the pending ones are the last of them."""
    pending = doc.get(PENDING_EVENTS) or []
    return int(doc.get(EVENT_SEQ) or len(pending)) - len(pending) + 1
