"""Reading operations and marking their progress (publish, touch, heartbeat, last error, what
processing waits on)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.store.batch_store import utcnow
from batchops.store.documents import Document, operation_from_document
from batchops.store.fields import ID, LAST_ERROR, PROGRESS_DATE, PUBLISHED, STATUS, UPDATED_DATE, WAITING_ON
from batchops.store.limits import MAX_ERROR_CHARS
from batchops.store.work.collections import WorkCollections


class Operations:
    def __init__(self, collections: WorkCollections) -> None:
        self._operations = collections.operations
        self._tombstones = collections.tombstones

    def operation(self, operation_id: uuid.UUID) -> BatchOperation | None:
        doc = self._operations.find_one({ID: str(operation_id)})
        return operation_from_document(doc) if doc else None

    def operations(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperation]:
        ids = [str(op) for op in set(operation_ids)]
        return {
            uuid.UUID(doc[ID]): operation_from_document(doc)
            for doc in self._operations.find({ID: {"$in": ids}})
        }

    def statuses(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperationStatus]:
        """The status of each of ``operation_ids`` that exists (one small read)."""
        ids = [str(op) for op in set(operation_ids)]
        return {
            uuid.UUID(doc[ID]): BatchOperationStatus(doc[STATUS])
            for doc in self._operations.find({ID: {"$in": ids}}, {STATUS: 1})
        }

    def deleted(self, operation_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = [str(op) for op in set(operation_ids)]
        return {uuid.UUID(doc[ID]) for doc in self._tombstones.find({ID: {"$in": ids}}, {ID: 1})}

    def operations_in(
        self,
        statuses: Sequence[BatchOperationStatus],
        older_than: datetime | None = None,
        newer_than: datetime | None = None,
    ) -> Iterator[BatchOperation]:
        query: Document = {STATUS: {"$in": [s.value for s in statuses]}}
        if older_than is not None:
            query[UPDATED_DATE] = {"$lt": older_than}
        if newer_than is not None:
            query.setdefault(UPDATED_DATE, {})["$gte"] = newer_than
        for doc in self._operations.find(query):
            yield operation_from_document(doc)

    def operation_counts(self) -> dict[str, int]:
        """Operations per status (for metrics)."""
        pipeline: list[Document] = [{"$group": {ID: f"${STATUS}", "n": {"$sum": 1}}}]
        return {row[ID]: row["n"] for row in self._operations.aggregate(pipeline)}

    def mark_published(self, operation_id: uuid.UUID) -> None:
        self._operations.update_one(
            {ID: str(operation_id)}, {"$set": {PUBLISHED: True, UPDATED_DATE: utcnow()}}
        )

    def touch(self, operation_id: uuid.UUID, **fields: Any) -> None:
        self._operations.update_one({ID: str(operation_id)}, {"$set": {UPDATED_DATE: utcnow(), **fields}})

    def progress(self, operation_id: uuid.UUID) -> None:
        """Work on the operation moved (a chunk, a heartbeat): unlike ``touch`` (recovery's own
        re-publishing), this also holds off the initialization timeout."""
        now = utcnow()
        self._operations.update_one(
            {ID: str(operation_id)}, {"$set": {UPDATED_DATE: now, PROGRESS_DATE: now}}
        )

    def record_error(self, operation_id: uuid.UUID, error: str) -> None:
        self._operations.update_one({ID: str(operation_id)}, {"$set": {LAST_ERROR: error[:MAX_ERROR_CHARS]}})

    def set_waiting_on(self, operation_ids: Iterable[uuid.UUID], text: str) -> None:
        """What processing of these operations waits for (an unavailable dependency); "" clears
        it. Not progress: the update date stays."""
        ids = [str(op) for op in set(operation_ids)]
        self._operations.update_many({ID: {"$in": ids}}, {"$set": {WAITING_ON: text[:MAX_ERROR_CHARS]}})
