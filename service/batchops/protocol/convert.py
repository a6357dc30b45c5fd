"""Protobuf <-> domain conversion for the batch management API (SiteWhere's conventions:
dates are epoch milliseconds with 0 meaning unset; UUIDs are two fixed64 halves)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from batchops.domain import (
    BatchElement,
    BatchOperation,
    BatchOperationStatus,
    ElementProcessingStatus,
    InvalidArgument,
)
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

_MASK64 = (1 << 64) - 1

OPERATION_STATUS_TO_WIRE: dict[BatchOperationStatus, int] = {
    BatchOperationStatus.UNPROCESSED: bm.BATCH_OPERATION_STATUS_UNPROCESSED,
    BatchOperationStatus.INITIALIZING: bm.BATCH_OPERATION_STATUS_INITIALIZING,
    BatchOperationStatus.INITIALIZED_SUCCESSFULLY: bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
    BatchOperationStatus.INITIALIZED_WITH_ERRORS: bm.BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS,
    BatchOperationStatus.FINISHED_SUCCESSFULLY: bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY,
    BatchOperationStatus.FINISHED_WITH_ERRORS: bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS,
    BatchOperationStatus.PAUSED: bm.BATCH_OPERATION_STATUS_PAUSED,
    BatchOperationStatus.CANCELING: bm.BATCH_OPERATION_STATUS_CANCELING,
    BatchOperationStatus.CANCELED: bm.BATCH_OPERATION_STATUS_CANCELED,
}
OPERATION_STATUS_FROM_WIRE = {wire: status for status, wire in OPERATION_STATUS_TO_WIRE.items()}

ELEMENT_STATUS_TO_WIRE: dict[ElementProcessingStatus, int] = {
    ElementProcessingStatus.UNPROCESSED: bm.BATCH_ELEMENT_STATUS_UNPROCESSED,
    ElementProcessingStatus.PROCESSING: bm.BATCH_ELEMENT_STATUS_PROCESSING,
    ElementProcessingStatus.FAILED: bm.BATCH_ELEMENT_STATUS_FAILED,
    ElementProcessingStatus.SUCCEEDED: bm.BATCH_ELEMENT_STATUS_SUCCEEDED,
    ElementProcessingStatus.CANCELED: bm.BATCH_ELEMENT_STATUS_CANCELED,
}
ELEMENT_STATUS_FROM_WIRE = {wire: status for status, wire in ELEMENT_STATUS_TO_WIRE.items()}


def uuid_to_wire(value: uuid.UUID) -> common.GUUID:
    number = value.int
    return common.GUUID(msb=(number >> 64) & _MASK64, lsb=number & _MASK64)


def uuid_from_wire(value: common.GUUID, what: str) -> uuid.UUID:
    if value.msb == 0 and value.lsb == 0:
        raise InvalidArgument(f"{what} is required.")
    return uuid.UUID(int=(value.msb << 64) | value.lsb)


def date_to_wire(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value is not None else 0


def date_from_wire(millis: int, what: str) -> datetime | None:
    if millis == 0:
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidArgument(f"{what} {millis} is not a valid epoch-millisecond date.") from None


def operation_status_from_wire(value: int) -> BatchOperationStatus:
    try:
        return OPERATION_STATUS_FROM_WIRE[value]
    except KeyError:
        raise InvalidArgument(f"Unknown batch operation status {value}.") from None


def element_status_from_wire(value: int) -> ElementProcessingStatus:
    try:
        return ELEMENT_STATUS_FROM_WIRE[value]
    except KeyError:
        raise InvalidArgument(f"Unknown batch element status {value}.") from None


def operation_to_wire(operation: BatchOperation) -> bm.GBatchOperation:
    wire_id = uuid_to_wire(operation.id)
    message = bm.GBatchOperation(
        id=wire_id,
        token=operation.token,
        operationType=operation.operation_type,
        parameters=operation.parameters,
        processingStatus=OPERATION_STATUS_TO_WIRE[operation.status],  # type: ignore[arg-type]
        processingStartedDate=date_to_wire(operation.processing_started_date),
        processingEndedDate=date_to_wire(operation.processing_ended_date),
        metadata=operation.metadata,
        entityInformation=common.GEntityInformation(
            id=wire_id,
            token=operation.token,
            createdDate=date_to_wire(operation.created_date),
            createdBy=common.GUserReference(username=operation.created_by or ""),
            updatedDate=date_to_wire(operation.updated_date),
            updatedBy=common.GUserReference(username=operation.updated_by or ""),
            # Metadata goes once, in the operation's own field: a second copy here doubled every
            # response and operations record (issue 12, items 4 and 6).
        ),
        unprocessedCount=operation.counts.unprocessed,
        processingCount=operation.counts.processing,
        succeededCount=operation.counts.succeeded,
        failedCount=operation.counts.failed,
        elementCount=operation.total_elements,
        deviceTokenCount=operation.device_token_count,
        targetingSummary=operation.targeting,
        lastError=operation.last_error,
        canceledCount=operation.counts.canceled,
        waitingOn=operation.waiting_on,
        round=operation.round,
    )
    if operation.paused_phase is not None:
        message.pausedPhase = OPERATION_STATUS_TO_WIRE[operation.paused_phase]  # type: ignore[assignment]
    control = operation.last_control
    if control is not None:
        message.lastControl.CopyFrom(
            bm.GBatchOperationControl(
                action=control.action,
                username=control.username or "",
                date=date_to_wire(control.date),
                reason=control.reason,
            )
        )
    return message


def element_to_wire(element: BatchElement) -> bm.GBatchElement:
    message = bm.GBatchElement(
        id=uuid_to_wire(element.id),
        batchOperationId=uuid_to_wire(element.operation_id),
        processingStatus=ELEMENT_STATUS_TO_WIRE[element.status],  # type: ignore[arg-type]
        processedDate=date_to_wire(element.processed_date),
        metadata=element.metadata,
        deviceToken=element.device_token,
        errorMessage=element.error_message,
        attemptCount=element.attempts,
        processingDurationMs=element.duration_ms,
        round=element.round,
        earlierRounds=[
            bm.GBatchElementRound(
                round=earlier.round,
                processingStatus=ELEMENT_STATUS_TO_WIRE[earlier.status],  # type: ignore[arg-type]
                errorMessage=earlier.error_message,
                attemptCount=earlier.attempts,
                processedDate=date_to_wire(earlier.processed_date),
            )
            for earlier in element.earlier_rounds
        ],
    )
    if element.device_id is not None:
        message.deviceId.CopyFrom(uuid_to_wire(element.device_id))
    return message
