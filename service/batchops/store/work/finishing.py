"""Finishing operations: Initialized* -> Finished* once every element is final, with exact
counts (from the counters when they add up, from the elements themselves after a crash)."""

from __future__ import annotations

import uuid

from batchops.domain import BatchOperation, BatchOperationStatus, ElementProcessingStatus
from batchops.store.batch_store import utcnow
from batchops.store.documents import Document, zero_counts
from batchops.store.events import EventKind, StatusEvent, with_event
from batchops.store.fields import (
    COUNT_FIELDS,
    COUNTS,
    ENDED_DATE,
    ID,
    OP,
    RESUME_PHASE,
    STATUS,
    TOKEN_COUNT,
    TOTAL,
    UPDATED_DATE,
)
from batchops.store.work.collections import WorkCollections
from batchops.store.work.operations import Operations

_EL = ElementProcessingStatus


class Finishing:
    def __init__(self, collections: WorkCollections, operations: Operations) -> None:
        self._operations = collections.operations
        self._elements = collections.elements
        self._reads = operations

    def finish_if_complete(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Initialized* -> Finished* as soon as every element is final; returns the finished one."""
        operation = self._reads.operation(operation_id)
        if operation is None or not operation.status.is_initialized:
            return None
        if operation.counts.finished < operation.total_elements:
            return None
        # Counters never run ahead, so succeeded + failed reaching the total means both are exact
        # and nothing is left: zero the two a crash may have left lagging.
        return self._finish(
            operation,
            any_failed=operation.counts.failed + operation.counts.canceled > 0,
            fields={COUNT_FIELDS[_EL.UNPROCESSED]: 0, COUNT_FIELDS[_EL.PROCESSING]: 0},
        )

    def finish_from_elements(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Finish an initialized operation whose elements are all final, whatever its counters say
        (they can lag after a crash), writing the exact counts taken from the elements."""
        operation = self._reads.operation(operation_id)
        if operation is None or not operation.status.is_initialized:
            return None
        counts = self._element_counts(operation_id)
        if counts[_EL.UNPROCESSED.value] or counts[_EL.PROCESSING.value]:
            return None
        total = sum(counts.values())
        return self._finish(
            operation,
            any_failed=counts[_EL.FAILED.value] + counts[_EL.CANCELED.value] > 0,
            fields={COUNTS: counts, TOTAL: total, TOKEN_COUNT: total},
        )

    def _element_counts(self, operation_id: uuid.UUID) -> dict[str, int]:
        """The operation's elements per status, counted from the elements."""
        counts = zero_counts()
        pipeline: list[Document] = [
            {"$match": {OP: str(operation_id)}},
            {"$group": {ID: f"${STATUS}", "n": {"$sum": 1}}},
        ]
        for row in self._elements.aggregate(pipeline):
            counts[row[ID]] = row["n"]
        return counts

    def _finish(
        self, operation: BatchOperation, *, any_failed: bool, fields: Document
    ) -> BatchOperation | None:
        """Initialized* -> Finished* (compare-and-set on the status read), with its end date and
        ``fields``; FinishedWithErrors if an element failed (or stayed canceled after a retry) or
        initialization had errors. The initialized status is kept for a retry to go back to."""
        with_errors = any_failed or operation.status == BatchOperationStatus.INITIALIZED_WITH_ERRORS
        new = (
            BatchOperationStatus.FINISHED_WITH_ERRORS
            if with_errors
            else BatchOperationStatus.FINISHED_SUCCESSFULLY
        )
        now = utcnow()
        event = StatusEvent(EventKind.FINISHED, operation.status, new, now, round=operation.round)
        result = self._operations.update_one(
            {ID: str(operation.id), STATUS: operation.status.value},
            with_event(
                {
                    "$set": {
                        STATUS: new.value,
                        ENDED_DATE: now,
                        UPDATED_DATE: now,
                        RESUME_PHASE: operation.status.value,
                        **fields,
                    }
                },
                event,
            ),
        )
        return self._reads.operation(operation.id) if result.modified_count else None
