"""Operations and elements as plain dicts (``--json``) and as rich tables (people)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from batchops.domain import BatchOperationStatus
from batchops.protocol.convert import ELEMENT_STATUS_FROM_WIRE, OPERATION_STATUS_FROM_WIRE
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

FINAL_STATUSES = frozenset(
    {
        BatchOperationStatus.FINISHED_SUCCESSFULLY.value,
        BatchOperationStatus.FINISHED_WITH_ERRORS.value,
        BatchOperationStatus.CANCELED.value,
    }
)
_STATUS_STYLE = {
    "Unprocessed": "dim",
    "Initializing": "cyan",
    "InitializedSuccessfully": "blue",
    "InitializedWithErrors": "yellow",
    "FinishedSuccessfully": "green",
    "FinishedWithErrors": "red",
    "Paused": "magenta",
    "Canceling": "yellow",
    "Canceled": "magenta",
    "Processing": "cyan",
    "Succeeded": "green",
    "Failed": "red",
}


def uuid_text(value: common.GUUID) -> str | None:
    if value.msb == 0 and value.lsb == 0:
        return None
    return str(uuid.UUID(int=(value.msb << 64) | value.lsb))


def iso_date(millis: int) -> str | None:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="seconds") if millis else None


def operation_status(operation: bm.GBatchOperation) -> str:
    status = OPERATION_STATUS_FROM_WIRE.get(operation.processingStatus)
    return status.value if status is not None else str(operation.processingStatus)


def paused_phase(operation: bm.GBatchOperation) -> str | None:
    """The phase a Paused operation resumes in (None unless it is paused)."""
    if operation_status(operation) != BatchOperationStatus.PAUSED.value:
        return None
    phase = OPERATION_STATUS_FROM_WIRE.get(operation.pausedPhase)
    return phase.value if phase is not None else str(operation.pausedPhase)


def status_text(operation: bm.GBatchOperation) -> str:
    """The status, styled, with the phase a paused operation resumes in."""
    phase = paused_phase(operation)
    status = styled(operation_status(operation))
    return f"{status} (in {phase})" if phase else status


def control_dict(operation: bm.GBatchOperation) -> dict[str, Any] | None:
    """The last operator action (pause, resume, cancel, force-cancel, retry), if any."""
    if not operation.HasField("lastControl") or not operation.lastControl.action:
        return None
    control = operation.lastControl
    return {
        "action": control.action,
        "username": control.username or None,
        "date": iso_date(control.date),
        "reason": control.reason or None,
    }


def control_text(operation: bm.GBatchOperation) -> str:
    control = control_dict(operation)
    if control is None:
        return ""
    parts = [control["action"]]
    if control["username"]:
        parts.append(f"by {control['username']}")
    if control["date"]:
        parts.append(f"at {control['date']}")
    text = " ".join(parts)
    return f"{text}: {control['reason']}" if control["reason"] else text


def finished_count(operation: bm.GBatchOperation) -> int:
    """Elements in a final status (succeeded, failed or canceled)."""
    return operation.succeededCount + operation.failedCount + operation.canceledCount


def final_summary(operation: bm.GBatchOperation) -> str:
    """One line on how an operation ended (canceled elements only once there are any)."""
    canceled = f", {operation.canceledCount} canceled" if operation.canceledCount else ""
    return (
        f"{operation.token}: {operation_status(operation)} — {operation.succeededCount} succeeded, "
        f"{operation.failedCount} failed{canceled}"
    )


def element_status(element: bm.GBatchElement) -> str:
    status = ELEMENT_STATUS_FROM_WIRE.get(element.processingStatus)
    return status.value if status is not None else str(element.processingStatus)


def operation_dict(operation: bm.GBatchOperation) -> dict[str, Any]:
    info = operation.entityInformation
    return {
        "id": uuid_text(operation.id),
        "token": operation.token,
        "operationType": operation.operationType,
        "status": operation_status(operation),
        "parameters": dict(operation.parameters),
        "metadata": dict(operation.metadata),
        "counts": {
            "unprocessed": operation.unprocessedCount,
            "processing": operation.processingCount,
            "succeeded": operation.succeededCount,
            "failed": operation.failedCount,
            "canceled": operation.canceledCount,
        },
        "pausedPhase": paused_phase(operation),
        "round": operation.round,
        "lastControl": control_dict(operation),
        "waitingOn": operation.waitingOn or None,
        "elementCount": operation.elementCount,
        "deviceTokenCount": operation.deviceTokenCount,
        "targetingSummary": operation.targetingSummary,
        "lastError": operation.lastError or None,
        "processingStartedDate": iso_date(operation.processingStartedDate),
        "processingEndedDate": iso_date(operation.processingEndedDate),
        "createdDate": iso_date(info.createdDate),
        "createdBy": info.createdBy.username or None,
        "updatedDate": iso_date(info.updatedDate),
    }


def element_dict(element: bm.GBatchElement) -> dict[str, Any]:
    return {
        "id": uuid_text(element.id),
        "batchOperationId": uuid_text(element.batchOperationId),
        "deviceToken": element.deviceToken,
        "deviceId": uuid_text(element.deviceId),
        "status": element_status(element),
        "processedDate": iso_date(element.processedDate),
        "attemptCount": element.attemptCount,
        "processingDurationMs": element.processingDurationMs,
        "errorMessage": element.errorMessage or None,
        "metadata": dict(element.metadata),
    }


def styled(status: str) -> str:
    return f"[{_STATUS_STYLE.get(status, 'default')}]{status}[/]"


def counts_text(operation: bm.GBatchOperation, with_total: bool = True) -> str:
    """Succeeded ✓, failed ✗, canceled ⊘ (once there are any), processing …, unprocessed ○, over
    the total (targets until known)."""
    canceled = f"[magenta]⊘ {operation.canceledCount}[/] " if operation.canceledCount else ""
    text = (
        f"[green]✓ {operation.succeededCount}[/] [red]✗ {operation.failedCount}[/] {canceled}"
        f"[cyan]… {operation.processingCount}[/] [dim]○ {operation.unprocessedCount}[/]"
    )
    return f"{text} / {operation.elementCount or operation.deviceTokenCount}" if with_total else text


def operations_table(results: bm.GBatchOperationSearchResults, page: int) -> Table:
    table = Table(title=f"Batch operations (page {page}, {results.count} in all)", title_justify="left")
    for column in ("token", "type", "status", "✓ ✗ … ○ / total", "created"):
        table.add_column(column)
    for operation in results.batchOperations:
        table.add_row(
            operation.token,
            operation.operationType,
            status_text(operation),
            counts_text(operation),
            iso_date(operation.entityInformation.createdDate) or "",
        )
    return table


def operation_panel(operation: bm.GBatchOperation) -> Table:
    view = operation_dict(operation)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    rows: list[tuple[str, str]] = [
        ("token", view["token"]),
        ("id", view["id"] or ""),
        ("type", view["operationType"]),
        ("status", status_text(operation)),
        ("waiting on", view["waitingOn"] or ""),
        ("counts", counts_text(operation)),
        ("round", str(view["round"]) if view["round"] else ""),
        ("last control", control_text(operation)),
        ("devices targeted", str(view["deviceTokenCount"])),
        ("targeting", view["targetingSummary"]),
        ("parameters", _pairs(view["parameters"])),
        ("metadata", _pairs(view["metadata"])),
        ("created", view["createdDate"] or ""),
        ("started", view["processingStartedDate"] or ""),
        ("ended", view["processingEndedDate"] or ""),
        ("last error", view["lastError"] or ""),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, value)
    return table


def elements_table(results: bm.GBatchElementSearchResults, page: int) -> Table:
    table = Table(title=f"Elements (page {page}, {results.count} matching)", title_justify="left")
    for column in ("device", "status", "attempts", "processed", "error"):
        table.add_column(column)
    for element in results.batchElements:
        table.add_row(
            element.deviceToken or (uuid_text(element.deviceId) or ""),
            styled(element_status(element)),
            str(element.attemptCount),
            iso_date(element.processedDate) or "",
            element.errorMessage,
        )
    return table


def _pairs(values: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(values.items()))
