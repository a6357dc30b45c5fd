"""Watching an operation's stored document: its status, counters and the dates the service set."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo.database import Database

from batchops.domain import BatchOperationStatus
from batchops.store.database import OPERATIONS

INITIALIZED = frozenset(
    {BatchOperationStatus.INITIALIZED_SUCCESSFULLY.value, BatchOperationStatus.INITIALIZED_WITH_ERRORS.value}
)
FINISHED = frozenset(
    {BatchOperationStatus.FINISHED_SUCCESSFULLY.value, BatchOperationStatus.FINISHED_WITH_ERRORS.value}
)
INITIALIZED_OR_LATER = INITIALIZED | FINISHED
# How often a wait for Finished* reads the operation: its figures come from the stored dates, and
# a read every 50 ms (as the waits for Initialized*, whose observed time is their figure) was
# ~14 reads a second of the database's CPU inside the measured window.
FINISH_POLL_SECONDS = 0.25
_FIELDS = {"status": 1, "total": 1, "counts": 1, "createdDate": 1, "startedDate": 1, "endedDate": 1}


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Snapshot:
    status: str
    total: int
    counts: Mapping[str, int]
    created: datetime | None
    started: datetime | None
    ended: datetime | None
    observed: datetime  # when the bench read it

    def count(self, status: str) -> int:
        return int(self.counts.get(status, 0))

    def describe(self) -> str:
        parts = ", ".join(f"{key} {value:,}" for key, value in self.counts.items() if value)
        return f"{self.status}; {self.total:,} elements" + (f" ({parts})" if parts else "")


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class OperationWatch:
    def __init__(self, database: Database[dict[str, Any]]) -> None:
        self._operations = database[OPERATIONS]

    def snapshot(self, operation_id: uuid.UUID) -> Snapshot | None:
        doc = self._operations.find_one({"_id": str(operation_id)}, _FIELDS)
        observed = now()
        if doc is None:
            return None
        return Snapshot(
            status=doc["status"],
            total=int(doc.get("total") or 0),
            counts=dict(doc.get("counts") or {}),
            created=_aware(doc.get("createdDate")),
            started=_aware(doc.get("startedDate")),
            ended=_aware(doc.get("endedDate")),
            observed=observed,
        )

    def wait_for(
        self,
        operation_id: uuid.UUID,
        statuses: Collection[str],
        *,
        timeout: float,
        interval: float = 0.05,
        progress: Callable[[Snapshot], None] | None = None,
        progress_every: float = 5.0,
    ) -> Snapshot:
        """The first snapshot whose status is one of ``statuses``; TimeoutError (carrying the last
        snapshot as its second argument) when ``timeout`` passes without any progress (status or
        counts unchanged): a slow machine makes a stage slow, never failed; only a stall fails it."""
        deadline = time.monotonic() + timeout
        next_report = time.monotonic() + progress_every
        last: Snapshot | None = None
        seen: tuple[object, ...] | None = None
        while True:
            last = self.snapshot(operation_id) or last
            if last is not None and last.status in statuses:
                return last
            state = None if last is None else (last.status, last.total, tuple(sorted(last.counts.items())))
            if state != seen:
                seen, deadline = state, time.monotonic() + timeout
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"operation not {'/'.join(sorted(statuses))}: no progress for {timeout:g} s", last
                )
            if progress is not None and last is not None and time.monotonic() >= next_report:
                progress(last)
                next_report = time.monotonic() + progress_every
            time.sleep(interval)


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()
