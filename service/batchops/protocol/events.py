"""The operation event payload (``GBatchOperationEvent``) on the tenant's
``batch-operation-events`` topic, built from a stored status change and the operation."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.protocol.convert import OPERATION_STATUS_TO_WIRE, date_to_wire, uuid_to_wire
from batchops.wire import batch_model_pb2 as bm


class StatusChange(Protocol):
    """One status change as the store keeps it (``batchops.store.events.StatusEvent``)."""

    @property
    def kind(self) -> str: ...

    @property
    def old(self) -> BatchOperationStatus | None: ...

    @property
    def new(self) -> BatchOperationStatus: ...

    @property
    def date(self) -> datetime: ...

    @property
    def reason(self) -> str: ...

    @property
    def by(self) -> str | None: ...

    @property
    def round(self) -> int: ...


def operation_event_to_wire(
    operation: BatchOperation, change: StatusChange, sequence: int
) -> bm.GBatchOperationEvent:
    """The event of ``change`` (the ``sequence``-th of the operation), with the operation's
    identity and its element counts as they are now (when the event is published)."""
    counts = operation.counts
    message = bm.GBatchOperationEvent(
        batchOperationId=uuid_to_wire(operation.id),
        batchOperationToken=operation.token,
        kind=str(change.kind),
        newStatus=OPERATION_STATUS_TO_WIRE[change.new],  # type: ignore[arg-type]
        unprocessedCount=counts.unprocessed,
        processingCount=counts.processing,
        succeededCount=counts.succeeded,
        failedCount=counts.failed,
        canceledCount=counts.canceled,
        elementCount=operation.total_elements,
        reason=change.reason,
        username=change.by or "",
        date=date_to_wire(change.date),
        sequence=sequence,
        round=change.round,
    )
    if change.old is not None:
        message.oldStatus = OPERATION_STATUS_TO_WIRE[change.old]  # type: ignore[assignment]
    return message


def operation_event_from_wire(payload: bytes) -> bm.GBatchOperationEvent:
    """Decode a record of the events topic (for consumers and tests)."""
    message = bm.GBatchOperationEvent()
    message.ParseFromString(payload)
    return message
