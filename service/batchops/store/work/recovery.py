"""What recovery asks the store: operations whose publish or initialization stalled, elements
whose lease expired, work to re-publish, and leftovers of deleted operations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime

from pymongo import ASCENDING

from batchops.domain import BatchElement, BatchOperation, BatchOperationStatus, ElementProcessingStatus
from batchops.store.batch_store import utcnow
from batchops.store.counters import arrive, leave
from batchops.store.documents import Document, element_from_document, operation_from_document
from batchops.store.events import EventKind, StatusEvent, with_event
from batchops.store.fields import (
    CHUNK_COUNT,
    CHUNKS_DONE,
    CLAIM,
    CREATED_DATE,
    DELETED_DATE,
    ID,
    LAST_ERROR,
    LEASE_UNTIL,
    OP,
    PROGRESS_DATE,
    PUBLISHED,
    ROUND,
    SEQ,
    STATUS,
    SWEEP_PENDING,
    TOKEN_COUNT,
    TOTAL,
    UPDATED_DATE,
)
from batchops.store.id_batches import id_batches
from batchops.store.limits import EXPIRED_LEASES_PER_SWEEP, UNPROCESSED_STREAM_BATCH
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.collections import WorkCollections
from batchops.store.work.operations import Operations

_EL = ElementProcessingStatus
_UNPROCESSED = _EL.UNPROCESSED.value
_PROCESSING = _EL.PROCESSING.value
_INITIALIZING = BatchOperationStatus.INITIALIZING.value
# Operations whose elements may be in Processing (processing starts during initialization, and
# a pause or a graceful cancel lets running elements finish).
_MAY_PROCESS = [
    _INITIALIZING,
    BatchOperationStatus.INITIALIZED_SUCCESSFULLY.value,
    BatchOperationStatus.INITIALIZED_WITH_ERRORS.value,
    BatchOperationStatus.PAUSED.value,
    BatchOperationStatus.CANCELING.value,
]


class RecoveryQueries:
    def __init__(self, collections: WorkCollections, operations: Operations) -> None:
        self._operations = collections.operations
        self._elements = collections.elements
        self._targets = collections.targets
        self._tombstones = collections.tombstones
        self._piece = collections.in_filter_ids
        self._reads = operations

    # ---- operations -------------------------------------------------------------------------

    def unpublished_operations(
        self, created_before: datetime, include_published: bool
    ) -> Iterator[BatchOperation]:
        """Unprocessed operations older than ``created_before`` whose first publish failed (or all
        of them, when their records may have been lost)."""
        query: Document = {
            STATUS: BatchOperationStatus.UNPROCESSED.value,
            CREATED_DATE: {"$lt": created_before},
        }
        if not include_published:
            query[PUBLISHED] = {"$ne": True}
        for doc in self._operations.find(query):
            yield operation_from_document(doc)

    def stalled_initializations(self, before: datetime) -> Iterator[BatchOperation]:
        """Initializing operations without progress since ``before`` (their missing chunks never
        came; operations from before progress dates existed are judged by their last update)."""
        query: Document = {STATUS: _INITIALIZING, **_no_progress_since(before)}
        for doc in self._operations.find(query, {CHUNKS_DONE: 0}):
            yield operation_from_document(doc)

    def end_initialization(self, operation_id: uuid.UUID, before: datetime) -> BatchOperation | None:
        """Initializing -> InitializedWithErrors with the elements of the chunks that did arrive,
        if it still made no progress since ``before``; the reason goes into its last error."""
        doc = self._operations.find_one(
            {ID: str(operation_id)}, {CHUNKS_DONE: 1, CHUNK_COUNT: 1, TOTAL: 1, ROUND: 1}
        )
        if doc is None:
            return None
        arrived, expected = len(doc.get(CHUNKS_DONE) or []), max(int(doc.get(CHUNK_COUNT) or 0), 1)
        reason = (
            f"initialization timed out: {arrived} of {expected} target chunk(s) arrived; "
            "the elements of those are processed"
        )
        now, new = utcnow(), BatchOperationStatus.INITIALIZED_WITH_ERRORS
        event = StatusEvent(
            EventKind.INITIALIZED,
            BatchOperationStatus.INITIALIZING,
            new,
            now,
            reason=reason,
            round=int(doc.get(ROUND) or 0),
        )
        result = self._operations.update_one(
            {ID: str(operation_id), STATUS: _INITIALIZING, **_no_progress_since(before)},
            with_event(
                {
                    # A chunk counted meanwhile moves the progress date, so the filter fails and
                    # ``total`` read above is still the operation's.
                    "$set": {
                        STATUS: new.value,
                        UPDATED_DATE: now,
                        TOKEN_COUNT: int(doc.get(TOTAL) or 0),
                        LAST_ERROR: reason,
                    }
                },
                event,
            ),
        )
        return self._reads.operation(operation_id) if result.modified_count else None

    # ---- elements ---------------------------------------------------------------------------

    def expired_leases(self, limit: int = EXPIRED_LEASES_PER_SWEEP) -> list[ClaimedElement]:
        """Elements left in Processing past their lease (their worker died or stalled).

        Asked operation by operation, each query being exactly an (op, status) index range:
        the operation's in-flight elements. The lease is compared here, not in the query:
        SecantusDB (the development server) scans the whole collection, or with a hint walks
        the whole index, as soon as a predicate outside the index remains, and a status-only
        query scans every element (every sweep, over millions of elements)."""
        now = utcnow()
        found: list[ClaimedElement] = []
        for operation in self._operations.find({STATUS: {"$in": _MAY_PROCESS}}, {ID: 1}):
            for doc in self._elements.find({OP: operation[ID], STATUS: _PROCESSING}):
                lease = doc.get(LEASE_UNTIL)
                if lease is not None and lease < now:
                    found.append(ClaimedElement(element_from_document(doc), doc.get(CLAIM) or ""))
                    if len(found) >= limit:
                        return found
        return found

    def requeue_expired(self, elements: Sequence[BatchElement]) -> list[BatchElement]:
        """Processing (lease expired) -> Unprocessed, per operation so the counters move by what
        actually changed; returns the elements to publish again."""
        by_operation: dict[uuid.UUID, list[BatchElement]] = defaultdict(list)
        for element in elements:
            by_operation[element.operation_id].append(element)
        now = utcnow()
        for operation_id, members in by_operation.items():
            leave(self._operations, operation_id, _EL.PROCESSING, len(members))
            changed = sum(
                self._elements.update_many(
                    {ID: {"$in": [str(e.id) for e in part]}, STATUS: _PROCESSING, LEASE_UNTIL: {"$lt": now}},
                    {"$set": {STATUS: _UNPROCESSED, CLAIM: None, LEASE_UNTIL: None}},
                ).modified_count
                for part in id_batches(members, self._piece)
            )
            arrive(
                self._operations,
                operation_id,
                _EL.PROCESSING,
                _EL.UNPROCESSED,
                attempted=len(members),
                moved=changed,
            )
        return list(elements)

    def unprocessed_elements(
        self, operation_id: uuid.UUID, batch_size: int = UNPROCESSED_STREAM_BATCH
    ) -> Iterator[BatchElement]:
        """Stream an operation's unprocessed elements (for re-publishing after a loss)."""
        cursor = self._elements.find({OP: str(operation_id), STATUS: _UNPROCESSED}, batch_size=batch_size)
        for doc in cursor.sort(SEQ, ASCENDING):
            yield element_from_document(doc)

    # ---- deleted operations -----------------------------------------------------------------

    def sweep_deleted(self, settled_before: datetime) -> int:
        """Remove what late writers left of recently deleted operations (an initializer that
        crashed between inserting a chunk and checking the tombstone); returns the elements
        removed. A tombstone older than ``settled_before`` is swept a last time: no insert that
        began before its delete can still be running."""
        removed = 0
        for doc in self._tombstones.find({SWEEP_PENDING: True}, {ID: 1, DELETED_DATE: 1}):
            removed += self._elements.delete_many({OP: doc[ID]}).deleted_count
            self._targets.delete_many({OP: doc[ID]})
            if doc[DELETED_DATE] < settled_before:
                self._tombstones.update_one({ID: doc[ID]}, {"$unset": {SWEEP_PENDING: ""}})
        return removed


def _no_progress_since(before: datetime) -> Document:
    """Filter: no progress date after ``before`` (or, from before progress dates existed, no
    update after it)."""
    return {
        "$or": [
            {PROGRESS_DATE: {"$lt": before}},
            {PROGRESS_DATE: {"$exists": False}, UPDATED_DATE: {"$lt": before}},
        ]
    }
