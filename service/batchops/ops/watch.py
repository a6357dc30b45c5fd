"""Following an operation until it finishes, with a live progress bar."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from batchops.domain import BatchOperationStatus
from batchops.ops.client import OpsClient
from batchops.ops.views import (
    FINAL_STATUSES,
    counts_text,
    finished_count,
    operation_status,
    paused_phase,
    status_text,
)
from batchops.wire import batch_model_pb2 as bm

_INITIALIZED = frozenset(
    {
        BatchOperationStatus.INITIALIZED_SUCCESSFULLY.value,
        BatchOperationStatus.INITIALIZED_WITH_ERRORS.value,
        *FINAL_STATUSES,
    }
)
_STOPPED = frozenset({BatchOperationStatus.CANCELING.value, BatchOperationStatus.CANCELED.value})


class RateColumn(ProgressColumn):
    """Elements finished per second, from rich's own sliding window of updates."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} el/s" if speed else "- el/s", style="progress.data.speed")


def is_final(operation: bm.GBatchOperation) -> bool:
    """Finished* or Canceled: nothing changes any more (a Paused operation is still watched)."""
    return operation_status(operation) in FINAL_STATUSES


def _total(operation: bm.GBatchOperation) -> int | None:
    # Until initialization is over the element count is still growing: use the target count (a
    # paused operation by the phase it resumes in; a canceled one has the elements it got).
    phase = paused_phase(operation) or operation_status(operation)
    if phase in _INITIALIZED or (phase in _STOPPED and operation.elementCount):
        return operation.elementCount
    return operation.deviceTokenCount or None


def status_line(operation: bm.GBatchOperation) -> str:
    """The status column: the status (a paused one with its phase) and what processing waits for."""
    waiting = f" [yellow]waiting on {operation.waitingOn}[/]" if operation.waitingOn else ""
    return status_text(operation) + waiting


def _fields(operation: bm.GBatchOperation) -> dict[str, Any]:  # task fields for the columns
    return {"status": status_line(operation), "counts": counts_text(operation, with_total=False)}


def watch_operation(
    client: OpsClient,
    operation: bm.GBatchOperation,
    *,
    interval: float,
    console: Console | None,
    sleep: Callable[[float], None] = time.sleep,
) -> bm.GBatchOperation:
    """Poll ``operation`` every ``interval`` seconds until it is final (Finished* or Canceled; a
    Paused one is shown paused and still followed); draw progress on ``console`` (None: no
    display, e.g. ``--json``). Returns the final state."""
    if console is None:
        while not is_final(operation):
            sleep(interval)
            operation = client.get(operation.id)
        return operation
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}[/] {task.fields[status]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[counts]}"),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    with progress:
        task = progress.add_task(operation.token, total=_total(operation), **_fields(operation))
        while True:
            done = finished_count(operation)
            progress.update(task, total=_total(operation), completed=done, **_fields(operation))
            if is_final(operation):
                break
            sleep(interval)
            operation = client.get(operation.id)
    return operation
