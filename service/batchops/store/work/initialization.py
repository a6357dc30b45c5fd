"""Initializing an operation chunk by chunk: its elements inserted idempotently, each chunk
counted in exactly once, and Initializing -> Initialized* once every chunk is in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence

from pymongo import ASCENDING
from pymongo.errors import BulkWriteError

from batchops.domain import BatchOperation, BatchOperationStatus, ElementProcessingStatus, element_ids_for
from batchops.store.batch_store import utcnow
from batchops.store.documents import Document, element_document, target_chunk_id
from batchops.store.events import EventKind, StatusEvent, with_event
from batchops.store.fields import (
    CHUNK_COUNT,
    CHUNKS_DONE,
    COUNT_FIELDS,
    ID,
    IDX,
    INIT_ERRORS,
    OP,
    PROGRESS_DATE,
    ROUND,
    SEQ,
    STARTED_DATE,
    STATUS,
    TOKEN,
    TOKEN_COUNT,
    TOKENS,
    TOTAL,
    UPDATED_DATE,
)
from batchops.store.id_batches import id_batches
from batchops.store.limits import DUPLICATE_LOOKUP_TOKENS
from batchops.store.work.collections import WorkCollections
from batchops.store.work.operations import Operations

_DUPLICATE_KEY = 11000
_INITIALIZING = BatchOperationStatus.INITIALIZING.value
_CANCELED = BatchOperationStatus.CANCELED.value
# Target chunks are large (thousands of tokens each): fetch two per round trip.
_TARGET_CHUNKS_PER_BATCH = 2


class Initialization:
    def __init__(self, collections: WorkCollections, operations: Operations) -> None:
        self._operations = collections.operations
        self._elements = collections.elements
        self._targets = collections.targets
        self._reads = operations

    def begin_initialization(self, operation_id: uuid.UUID) -> bool:
        """Unprocessed -> Initializing (with its start date). True if this call moved it."""
        now = utcnow()
        event = StatusEvent(
            EventKind.INITIALIZING, BatchOperationStatus.UNPROCESSED, BatchOperationStatus.INITIALIZING, now
        )
        result = self._operations.update_one(
            {ID: str(operation_id), STATUS: BatchOperationStatus.UNPROCESSED.value},
            with_event(
                {"$set": {STATUS: _INITIALIZING, STARTED_DATE: now, UPDATED_DATE: now, PROGRESS_DATE: now}},
                event,
            ),
        )
        return result.modified_count == 1

    def insert_chunk_elements(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        chunk_size: int,
        tokens: Sequence[str],
        start: int = 0,
        element_ids: Sequence[uuid.UUID] | None = None,
    ) -> int:
        """Insert a chunk's elements (``tokens`` begin at position ``start`` of the chunk); ids
        derive from (operation, token), so a re-run inserts only what is missing. Returns how many
        of them now exist in the chunk's range (a token repeated from an earlier chunk lives in
        that chunk's range, not this one's). ``element_ids``: the tokens' ``element_ids_for``, when
        the caller has them already (each is a SHA-1)."""
        base = chunk_index * chunk_size
        ids = element_ids if element_ids is not None else element_ids_for(operation_id, tokens)
        op = str(operation_id)
        docs = [
            element_document(element_id, op, token, base + start + offset)
            for offset, (element_id, token) in enumerate(zip(ids, tokens, strict=True))
        ]
        if not docs:
            return 0
        present = self._insert_elements(operation_id, tokens, docs, base, chunk_size)
        if self._reads.deleted([operation_id]):
            # Deleted while this chunk was on its way in: the delete's sweep may have run before
            # our insert. Checking after the insert closes the race (a delete that writes its
            # tombstone after this check sweeps after our insert too).
            self.purge(operation_id)
            return 0
        return present

    def purge(self, operation_id: uuid.UUID) -> None:
        """Remove a deleted operation's elements and target chunks (a late writer's leftovers)."""
        self._elements.delete_many({OP: str(operation_id)})
        self._targets.delete_many({OP: str(operation_id)})

    def _insert_elements(
        self,
        operation_id: uuid.UUID,
        tokens: Sequence[str],
        docs: list[Document],
        base: int,
        chunk_size: int,
    ) -> int:
        try:
            self._elements.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != _DUPLICATE_KEY for e in errors):
                raise
            # Only the duplicates need a look: they are either ours from an earlier run of this
            # chunk (counted) or repeats of another chunk's tokens (not counted here).
            duplicates = [tokens[e["index"]] for e in errors]
            return len(docs) - self._count_elsewhere(operation_id, duplicates, base, chunk_size)
        return len(docs)

    def _count_elsewhere(
        self, operation_id: uuid.UUID, tokens: Sequence[str], base: int, chunk_size: int
    ) -> int:
        """How many of ``tokens`` are stored outside the chunk's sequence range."""
        return sum(
            self._elements.count_documents(
                {
                    OP: str(operation_id),
                    TOKEN: {"$in": list(part)},
                    "$or": [{SEQ: {"$lt": base}}, {SEQ: {"$gte": base + chunk_size}}],
                }
            )
            for part in id_batches(tokens, DUPLICATE_LOOKUP_TOKENS)
        )

    def store_chunk_targets(self, operation_id: uuid.UUID, chunk_index: int, tokens: Sequence[str]) -> None:
        op = str(operation_id)
        self._targets.update_one(
            {ID: target_chunk_id(op, chunk_index)},
            {"$setOnInsert": {OP: op, IDX: chunk_index, TOKENS: list(tokens)}},
            upsert=True,
        )

    def target_chunks(self, operation_id: uuid.UUID) -> Iterator[tuple[int, list[str]]]:
        cursor = self._targets.find(
            {OP: str(operation_id)}, {IDX: 1, TOKENS: 1}, batch_size=_TARGET_CHUNKS_PER_BATCH
        )
        for doc in cursor.sort(IDX, ASCENDING):
            yield doc[IDX], list(doc[TOKENS])

    def mark_chunk_initialized(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        present: int,
        *,
        rejected: int = 0,
        tokens: int = 0,
    ) -> bool:
        """Count the chunk's ``present`` elements into the operation exactly once (the chunk mark
        and the counter increment are one write). False if the chunk was already counted."""
        now = utcnow()
        result = self._operations.update_one(
            # A canceled operation's counts are exact (taken from its elements): never add to them.
            {ID: str(operation_id), CHUNKS_DONE: {"$ne": chunk_index}, STATUS: {"$ne": _CANCELED}},
            {
                "$addToSet": {CHUNKS_DONE: chunk_index},
                "$inc": {
                    TOTAL: present,
                    COUNT_FIELDS[ElementProcessingStatus.UNPROCESSED]: present,
                    INIT_ERRORS: rejected,
                    TOKEN_COUNT: tokens,
                },
                "$set": {UPDATED_DATE: now, PROGRESS_DATE: now},
            },
        )
        return result.modified_count == 1

    def chunks_done(self, operation_id: uuid.UUID) -> tuple[set[int], int]:
        doc = self._operations.find_one({ID: str(operation_id)}, {CHUNKS_DONE: 1, CHUNK_COUNT: 1})
        if doc is None:
            return set(), 0
        return set(doc.get(CHUNKS_DONE) or []), int(doc.get(CHUNK_COUNT) or 0)

    def complete_initialization(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Initializing -> Initialized* once every chunk is counted; returns the operation then."""
        doc = self._operations.find_one({ID: str(operation_id)})
        if doc is None or doc[STATUS] != _INITIALIZING:
            return None
        if len(set(doc.get(CHUNKS_DONE) or [])) < max(int(doc.get(CHUNK_COUNT) or 0), 1):
            return None
        new = (
            BatchOperationStatus.INITIALIZED_WITH_ERRORS
            if int(doc.get(INIT_ERRORS) or 0)
            else BatchOperationStatus.INITIALIZED_SUCCESSFULLY
        )
        now = utcnow()
        event = StatusEvent(
            EventKind.INITIALIZED, BatchOperationStatus.INITIALIZING, new, now, round=int(doc.get(ROUND) or 0)
        )
        # Elements are unique per device, so their total is the exact de-duplicated token count.
        self._operations.update_one(
            {ID: str(operation_id), STATUS: _INITIALIZING},
            with_event(
                {"$set": {STATUS: new.value, UPDATED_DATE: now, TOKEN_COUNT: int(doc.get(TOTAL) or 0)}},
                event,
            ),
        )
        return self._reads.operation(operation_id)
