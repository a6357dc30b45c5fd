"""The operation events outbox helpers and the event payload: kinds, sequence numbering, the
stored form read back, and the conversion to GBatchOperationEvent."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from batchops.domain import BatchOperation, BatchOperationStatus, ElementCounts
from batchops.protocol.events import operation_event_from_wire, operation_event_to_wire
from batchops.store.event_outbox import _batch
from batchops.store.events import (
    MAX_PENDING_EVENTS,
    EventKind,
    StatusEvent,
    created_event,
    first_sequence,
    kind_for_status,
    new_operation_outbox,
    status_set_event,
    with_event,
)
from batchops.store.fields import EVENT_SEQ, EVENTS_PENDING, PENDING_EVENTS
from batchops.wire import batch_model_pb2 as bm

Op = BatchOperationStatus
NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def _operation(**changes: object) -> BatchOperation:
    base = BatchOperation(
        id=uuid.UUID(int=42), token="op-1", operation_type="T", created_date=NOW, created_by="alice"
    )
    return base.model_copy(update=changes)


def test_every_status_has_an_event_kind() -> None:
    assert {kind_for_status(status) for status in Op} == {
        EventKind.CREATED,
        EventKind.INITIALIZING,
        EventKind.INITIALIZED,
        EventKind.FINISHED,
        EventKind.PAUSED,
        EventKind.CANCELING,
        EventKind.CANCELED,
    }
    assert kind_for_status(Op.INITIALIZED_WITH_ERRORS) is EventKind.INITIALIZED
    assert kind_for_status(Op.FINISHED_WITH_ERRORS) is EventKind.FINISHED


def test_a_stored_event_reads_back_as_it_was_written() -> None:
    event = StatusEvent(
        EventKind.FINISHED, Op.INITIALIZED_SUCCESSFULLY, Op.FINISHED_WITH_ERRORS, NOW, "r", "bob", 2
    )
    assert StatusEvent.from_document(event.document()) == event
    created = created_event(_operation())
    assert StatusEvent.from_document(created.document()) == created
    assert (created.kind, created.old, created.new, created.by) == (
        EventKind.CREATED,
        None,
        Op.UNPROCESSED,
        "alice",
    )


def test_update_batch_operation_has_an_event_only_when_the_status_changes() -> None:
    current = _operation(status=Op.INITIALIZED_SUCCESSFULLY)
    assert status_set_event(current, None, NOW, "bob") is None
    assert status_set_event(current, Op.INITIALIZED_SUCCESSFULLY, NOW, "bob") is None
    event = status_set_event(current, Op.FINISHED_SUCCESSFULLY, NOW, "bob")
    assert event is not None
    assert (event.kind, event.old, event.new, event.by) == (
        EventKind.FINISHED,
        Op.INITIALIZED_SUCCESSFULLY,
        Op.FINISHED_SUCCESSFULLY,
        "bob",
    )


def test_with_event_keeps_the_update_counts_the_event_and_flags_it_pending() -> None:
    event = StatusEvent(EventKind.INITIALIZING, Op.UNPROCESSED, Op.INITIALIZING, NOW)
    update = with_event({"$set": {"status": "Initializing"}, "$inc": {"x": 1}}, event)
    assert update["$set"] == {"status": "Initializing", EVENTS_PENDING: True}
    assert update["$inc"] == {"x": 1, EVENT_SEQ: 1}
    assert update["$push"][PENDING_EVENTS]["$slice"] == -MAX_PENDING_EVENTS


def _stored(*kinds: EventKind, seq: int) -> dict[str, object]:
    """An operation document holding ``kinds`` unpublished, its counter at ``seq``."""
    doc: dict[str, object] = {
        "_id": str(uuid.UUID(int=42)),
        "token": "op-1",
        "type": "T",
        "status": "Initializing",
        "createdDate": NOW,
        PENDING_EVENTS: [StatusEvent(kind, None, Op.INITIALIZING, NOW).document() for kind in kinds],
        EVENT_SEQ: seq,
    }
    return doc


def test_sequence_numbers_continue_after_published_and_dropped_events() -> None:
    # Nothing published yet: 1, 2, 3.
    assert (
        first_sequence(_stored(EventKind.CREATED, EventKind.INITIALIZING, EventKind.INITIALIZED, seq=3)) == 1
    )
    # Two already published (removed from the outbox): the remaining one is the third.
    assert first_sequence(_stored(EventKind.INITIALIZED, seq=3)) == 3
    batch = _batch(_stored(EventKind.INITIALIZED, EventKind.FINISHED, seq=4), "claim")
    assert batch is not None
    assert [(p.sequence, p.event.kind) for p in batch.events] == [
        (3, EventKind.INITIALIZED),
        (4, EventKind.FINISHED),
    ]
    assert first_sequence(new_operation_outbox(created_event(_operation()))) == 1


def test_a_malformed_event_is_set_aside_not_published() -> None:
    doc = _stored(EventKind.CREATED, EventKind.INITIALIZING, seq=2)
    events = doc[PENDING_EVENTS]
    assert isinstance(events, list)
    events[0]["new"] = "NoSuchStatus"
    batch = _batch(doc, "claim")
    assert batch is not None
    assert [p.sequence for p in batch.events] == [2]
    assert batch.unreadable == [events[0]["id"]]


def test_an_unreadable_operation_is_skipped() -> None:
    doc = _stored(EventKind.CREATED, seq=1)
    del doc["type"]
    assert _batch(doc, "claim") is None


def test_event_payload_carries_the_change_and_the_operation_counts() -> None:
    operation = _operation(
        status=Op.FINISHED_WITH_ERRORS,
        counts=ElementCounts(succeeded=7, failed=2, canceled=1),
        total_elements=10,
    )
    change = StatusEvent(
        EventKind.FINISHED, Op.INITIALIZED_WITH_ERRORS, Op.FINISHED_WITH_ERRORS, NOW, "why", "bob", 1
    )
    wire = operation_event_from_wire(operation_event_to_wire(operation, change, 4).SerializeToString())
    assert (wire.batchOperationId.msb, wire.batchOperationId.lsb) == (0, 42)
    assert wire.batchOperationToken == "op-1"
    assert wire.kind == "finished"
    assert wire.HasField("oldStatus")
    assert wire.oldStatus == bm.BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS
    assert wire.newStatus == bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS
    assert (wire.succeededCount, wire.failedCount, wire.canceledCount, wire.elementCount) == (7, 2, 1, 10)
    assert (wire.unprocessedCount, wire.processingCount) == (0, 0)
    assert (wire.reason, wire.username, wire.sequence, wire.round) == ("why", "bob", 4, 1)
    assert wire.date == int(NOW.timestamp() * 1000)


@pytest.mark.parametrize("status", list(Op))
def test_every_status_converts(status: BatchOperationStatus) -> None:
    change = StatusEvent(kind_for_status(status), None, status, NOW)
    wire = operation_event_to_wire(_operation(), change, 1)
    assert not wire.HasField("oldStatus")
    assert wire.username == ""
