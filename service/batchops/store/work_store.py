"""The pipeline's view of a tenant's store: initialize operations chunk by chunk, claim elements
with a lease, record outcomes in bulk, finish operations, and find work a crash left behind.

Every status change is a compare-and-set; counters move around the change that caused them
(``counters.leave`` before, ``counters.arrive`` after), so a crash between the writes leaves them
lagging, never ahead, and finishing an operation writes its exact counts.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from batchops.domain import (
    BatchElement,
    BatchOperation,
    BatchOperationStatus,
    ElementProcessingStatus,
    element_id_for,
)
from batchops.store.batch_store import utcnow
from batchops.store.counters import Owed, arrive, leave, move_counts
from batchops.store.database import ELEMENTS, OP_STATUS_SEQ, OPERATIONS, TARGETS, TOMBSTONES
from batchops.store.documents import (
    COUNT_FIELDS,
    Document,
    element_document,
    element_from_document,
    operation_from_document,
    zero_counts,
)
from batchops.store.id_batches import id_batches

_EL = ElementProcessingStatus
_UNPROCESSED = ElementProcessingStatus.UNPROCESSED.value
_PROCESSING = ElementProcessingStatus.PROCESSING.value
_DUPLICATE_KEY = 11000
# Last time initialization or processing of an operation moved (see ``progress``).
PROGRESS_DATE = "progressDate"
# Operations whose elements may be in Processing (processing starts during initialization).
_MAY_PROCESS = [
    BatchOperationStatus.INITIALIZING.value,
    BatchOperationStatus.INITIALIZED_SUCCESSFULLY.value,
    BatchOperationStatus.INITIALIZED_WITH_ERRORS.value,
]


@dataclass(frozen=True)
class ElementResult:
    """What processing one claimed element came to."""

    element_id: uuid.UUID
    operation_id: uuid.UUID
    succeeded: bool
    metadata: Mapping[str, str] = field(default_factory=dict)
    error: str = ""
    duration_ms: int = 0
    attempts: int = 1


@dataclass(frozen=True)
class ClaimedElement:
    element: BatchElement
    claim: str


class WorkStore:
    def __init__(self, database: Database[Document]) -> None:
        self._operations = database[OPERATIONS]
        self._elements = database[ELEMENTS]
        self._targets = database[TARGETS]
        self._tombstones = database[TOMBSTONES]

    # ---- operations -------------------------------------------------------------------------

    def operation(self, operation_id: uuid.UUID) -> BatchOperation | None:
        doc = self._operations.find_one({"_id": str(operation_id)})
        return operation_from_document(doc) if doc else None

    def operations(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperation]:
        ids = [str(op) for op in set(operation_ids)]
        return {
            uuid.UUID(doc["_id"]): operation_from_document(doc)
            for doc in self._operations.find({"_id": {"$in": ids}})
        }

    def deleted(self, operation_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = [str(op) for op in set(operation_ids)]
        return {uuid.UUID(doc["_id"]) for doc in self._tombstones.find({"_id": {"$in": ids}}, {"_id": 1})}

    def operations_in(
        self, statuses: Sequence[BatchOperationStatus], older_than: datetime | None = None
    ) -> Iterator[BatchOperation]:
        query: Document = {"status": {"$in": [s.value for s in statuses]}}
        if older_than is not None:
            query["updatedDate"] = {"$lt": older_than}
        for doc in self._operations.find(query):
            yield operation_from_document(doc)

    def operation_counts(self) -> dict[str, int]:
        """Operations per status (for metrics)."""
        pipeline: list[Document] = [{"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] for row in self._operations.aggregate(pipeline)}

    def unpublished_operations(
        self, created_before: datetime, include_published: bool
    ) -> Iterator[BatchOperation]:
        """Unprocessed operations older than ``created_before`` whose first publish failed (or all
        of them, when their records may have been lost)."""
        query: Document = {
            "status": BatchOperationStatus.UNPROCESSED.value,
            "createdDate": {"$lt": created_before},
        }
        if not include_published:
            query["published"] = {"$ne": True}
        for doc in self._operations.find(query):
            yield operation_from_document(doc)

    def mark_published(self, operation_id: uuid.UUID) -> None:
        self._operations.update_one(
            {"_id": str(operation_id)}, {"$set": {"published": True, "updatedDate": utcnow()}}
        )

    def touch(self, operation_id: uuid.UUID, **fields: Any) -> None:
        self._operations.update_one({"_id": str(operation_id)}, {"$set": {"updatedDate": utcnow(), **fields}})

    def progress(self, operation_id: uuid.UUID) -> None:
        """Work on the operation moved (a chunk, a heartbeat): unlike ``touch`` (recovery's own
        re-publishing), this also holds off the initialization timeout."""
        now = utcnow()
        self._operations.update_one(
            {"_id": str(operation_id)}, {"$set": {"updatedDate": now, PROGRESS_DATE: now}}
        )

    def begin_initialization(self, operation_id: uuid.UUID) -> bool:
        """Unprocessed -> Initializing (with its start date). True if this call moved it."""
        now = utcnow()
        result = self._operations.update_one(
            {"_id": str(operation_id), "status": BatchOperationStatus.UNPROCESSED.value},
            {
                "$set": {
                    "status": BatchOperationStatus.INITIALIZING.value,
                    "startedDate": now,
                    "updatedDate": now,
                    PROGRESS_DATE: now,
                }
            },
        )
        return result.modified_count == 1

    def insert_chunk_elements(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        chunk_size: int,
        tokens: Sequence[str],
        start: int = 0,
    ) -> int:
        """Insert a chunk's elements (``tokens`` begin at position ``start`` of the chunk); ids
        derive from (operation, token), so a re-run inserts only what is missing. Returns how many
        of them now exist in the chunk's range (a token repeated from an earlier chunk lives in
        that chunk's range, not this one's)."""
        base = chunk_index * chunk_size
        docs = [
            element_document(element_id_for(operation_id, token), operation_id, token, base + start + offset)
            for offset, token in enumerate(tokens)
        ]
        if not docs:
            return 0
        present = self._insert_elements(operation_id, tokens, docs, base, chunk_size)
        if self.deleted([operation_id]):
            # Deleted while this chunk was on its way in: the delete's sweep may have run before
            # our insert. Checking after the insert closes the race (a delete that writes its
            # tombstone after this check sweeps after our insert too).
            self.purge(operation_id)
            return 0
        return present

    def purge(self, operation_id: uuid.UUID) -> None:
        """Remove a deleted operation's elements and target chunks (a late writer's leftovers)."""
        self._elements.delete_many({"op": str(operation_id)})
        self._targets.delete_many({"op": str(operation_id)})

    def sweep_deleted(self, settled_before: datetime) -> int:
        """Remove what late writers left of recently deleted operations (an initializer that
        crashed between inserting a chunk and checking the tombstone); returns the elements
        removed. A tombstone older than ``settled_before`` is swept a last time: no insert that
        began before its delete can still be running."""
        removed = 0
        for doc in self._tombstones.find({"sweepPending": True}, {"_id": 1, "deletedDate": 1}):
            removed += self._elements.delete_many({"op": doc["_id"]}).deleted_count
            self._targets.delete_many({"op": doc["_id"]})
            if doc["deletedDate"] < settled_before:
                self._tombstones.update_one({"_id": doc["_id"]}, {"$unset": {"sweepPending": ""}})
        return removed

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
            elsewhere = sum(
                self._elements.count_documents(
                    {
                        "op": str(operation_id),
                        "token": {"$in": list(part)},
                        "$or": [{"seq": {"$lt": base}}, {"seq": {"$gte": base + chunk_size}}],
                    }
                )
                for part in id_batches(duplicates, 500)
            )
            return len(docs) - elsewhere
        return len(docs)

    def store_chunk_targets(self, operation_id: uuid.UUID, chunk_index: int, tokens: Sequence[str]) -> None:
        op = str(operation_id)
        self._targets.update_one(
            {"_id": f"{op}:{chunk_index:07d}"},
            {"$setOnInsert": {"op": op, "idx": chunk_index, "tokens": list(tokens)}},
            upsert=True,
        )

    def target_chunks(self, operation_id: uuid.UUID) -> Iterator[tuple[int, list[str]]]:
        cursor = self._targets.find({"op": str(operation_id)}, {"idx": 1, "tokens": 1}, batch_size=2)
        for doc in cursor.sort("idx", ASCENDING):
            yield doc["idx"], list(doc["tokens"])

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
            {"_id": str(operation_id), "chunksDone": {"$ne": chunk_index}},
            {
                "$addToSet": {"chunksDone": chunk_index},
                "$inc": {
                    "total": present,
                    COUNT_FIELDS[ElementProcessingStatus.UNPROCESSED]: present,
                    "initErrors": rejected,
                    "tokenCount": tokens,
                },
                "$set": {"updatedDate": now, PROGRESS_DATE: now},
            },
        )
        return result.modified_count == 1

    def chunks_done(self, operation_id: uuid.UUID) -> tuple[set[int], int]:
        doc = self._operations.find_one({"_id": str(operation_id)}, {"chunksDone": 1, "chunkCount": 1})
        if doc is None:
            return set(), 0
        return set(doc.get("chunksDone") or []), int(doc.get("chunkCount") or 0)

    def complete_initialization(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Initializing -> Initialized* once every chunk is counted; returns the operation then."""
        doc = self._operations.find_one({"_id": str(operation_id)})
        if doc is None or doc["status"] != BatchOperationStatus.INITIALIZING.value:
            return None
        if len(set(doc.get("chunksDone") or [])) < max(int(doc.get("chunkCount") or 0), 1):
            return None
        errors = int(doc.get("initErrors") or 0)
        new = (
            BatchOperationStatus.INITIALIZED_WITH_ERRORS
            if errors
            else BatchOperationStatus.INITIALIZED_SUCCESSFULLY
        )
        # Elements are unique per device, so their total is the exact de-duplicated token count.
        self._operations.update_one(
            {"_id": str(operation_id), "status": BatchOperationStatus.INITIALIZING.value},
            {
                "$set": {
                    "status": new.value,
                    "updatedDate": utcnow(),
                    "tokenCount": int(doc.get("total") or 0),
                }
            },
        )
        return self.operation(operation_id)

    def stalled_initializations(self, before: datetime) -> Iterator[BatchOperation]:
        """Initializing operations without progress since ``before`` (their missing chunks never
        came; operations from before progress dates existed are judged by their last update)."""
        query: Document = {
            "status": BatchOperationStatus.INITIALIZING.value,
            "$or": [
                {PROGRESS_DATE: {"$lt": before}},
                {PROGRESS_DATE: {"$exists": False}, "updatedDate": {"$lt": before}},
            ],
        }
        for doc in self._operations.find(query, {"chunksDone": 0}):
            yield operation_from_document(doc)

    def end_initialization(self, operation_id: uuid.UUID, before: datetime) -> BatchOperation | None:
        """Initializing -> InitializedWithErrors with the elements of the chunks that did arrive,
        if it still made no progress since ``before``; the reason goes into its last error."""
        doc = self._operations.find_one(
            {"_id": str(operation_id)}, {"chunksDone": 1, "chunkCount": 1, "total": 1}
        )
        if doc is None:
            return None
        arrived, expected = len(doc.get("chunksDone") or []), max(int(doc.get("chunkCount") or 0), 1)
        reason = (
            f"initialization timed out: {arrived} of {expected} target chunk(s) arrived; "
            "the elements of those are processed"
        )
        result = self._operations.update_one(
            {
                "_id": str(operation_id),
                "status": BatchOperationStatus.INITIALIZING.value,
                "$or": [
                    {PROGRESS_DATE: {"$lt": before}},
                    {PROGRESS_DATE: {"$exists": False}, "updatedDate": {"$lt": before}},
                ],
            },
            {
                # A chunk counted meanwhile moves the progress date, so the filter fails and
                # ``total`` read above is still the operation's.
                "$set": {
                    "status": BatchOperationStatus.INITIALIZED_WITH_ERRORS.value,
                    "updatedDate": utcnow(),
                    "tokenCount": int(doc.get("total") or 0),
                    "lastError": reason,
                }
            },
        )
        return self.operation(operation_id) if result.modified_count else None

    def finish_if_complete(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Initialized* -> Finished* as soon as every element is final; returns the finished one."""
        operation = self.operation(operation_id)
        if operation is None or not operation.status.is_initialized:
            return None
        if operation.counts.finished < operation.total_elements:
            return None
        # Counters never run ahead, so succeeded + failed reaching the total means both are exact
        # and nothing is left: zero the two a crash may have left lagging.
        return self._finish(
            operation,
            any_failed=operation.counts.failed > 0,
            fields={COUNT_FIELDS[_EL.UNPROCESSED]: 0, COUNT_FIELDS[_EL.PROCESSING]: 0},
        )

    def finish_from_elements(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Finish an initialized operation whose elements are all final, whatever its counters say
        (they can lag after a crash), writing the exact counts taken from the elements."""
        operation = self.operation(operation_id)
        if operation is None or not operation.status.is_initialized:
            return None
        counts = zero_counts()
        pipeline: list[Document] = [
            {"$match": {"op": str(operation_id)}},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
        for row in self._elements.aggregate(pipeline):
            counts[row["_id"]] = row["n"]
        if counts[_EL.UNPROCESSED.value] or counts[_EL.PROCESSING.value]:
            return None
        total = sum(counts.values())
        return self._finish(
            operation,
            any_failed=counts[_EL.FAILED.value] > 0,
            fields={"counts": counts, "total": total, "tokenCount": total},
        )

    def _finish(
        self, operation: BatchOperation, *, any_failed: bool, fields: Document
    ) -> BatchOperation | None:
        """Initialized* -> Finished* (compare-and-set on the status read), with its end date and
        ``fields``; FinishedWithErrors if an element failed or initialization had errors."""
        with_errors = any_failed or operation.status == BatchOperationStatus.INITIALIZED_WITH_ERRORS
        new = (
            BatchOperationStatus.FINISHED_WITH_ERRORS
            if with_errors
            else BatchOperationStatus.FINISHED_SUCCESSFULLY
        )
        now = utcnow()
        result = self._operations.update_one(
            {"_id": str(operation.id), "status": operation.status.value},
            {"$set": {"status": new.value, "endedDate": now, "updatedDate": now, **fields}},
        )
        return self.operation(operation.id) if result.modified_count else None

    def record_error(self, operation_id: uuid.UUID, error: str) -> None:
        self._operations.update_one({"_id": str(operation_id)}, {"$set": {"lastError": error[:2000]}})

    # ---- elements ---------------------------------------------------------------------------

    def claim(self, wanted: Mapping[uuid.UUID, uuid.UUID], lease: timedelta) -> list[ClaimedElement]:
        """Unprocessed -> Processing for those of ``wanted`` (element id -> operation id) still
        unprocessed, plus those whose Processing lease has expired (their worker died). Only an
        element stored under the operation named for it is claimed; final ones are left alone."""
        by_operation: dict[str, list[str]] = defaultdict(list)
        for element_id, operation_id in wanted.items():
            by_operation[str(operation_id)].append(str(element_id))
        now = utcnow()
        claim = uuid.uuid4().hex
        claimed: list[ClaimedElement] = []
        for op, ids in by_operation.items():
            leave(self._operations, op, _EL.UNPROCESSED, len(ids))
            fresh = 0
            for part in id_batches(ids):
                fresh += self._elements.update_many(
                    {"_id": {"$in": list(part)}, "op": op, "status": _UNPROCESSED},
                    {
                        "$set": {"status": _PROCESSING, "claim": claim, "leaseUntil": now + lease},
                        "$inc": {"attempts": 1},
                    },
                ).modified_count
            arrive(self._operations, op, _EL.UNPROCESSED, _EL.PROCESSING, attempted=len(ids), moved=fresh)
            if fresh < len(ids):
                for part in id_batches(ids):
                    self._elements.update_many(
                        {
                            "_id": {"$in": list(part)},
                            "op": op,
                            "status": _PROCESSING,
                            "leaseUntil": {"$lt": now},
                        },
                        {"$set": {"claim": claim + "r", "leaseUntil": now + lease}, "$inc": {"attempts": 1}},
                    )
            for part in id_batches(ids):
                for doc in self._elements.find(
                    {"_id": {"$in": list(part)}, "claim": {"$in": [claim, claim + "r"]}}
                ):
                    claimed.append(ClaimedElement(element_from_document(doc), doc["claim"]))
        return claimed

    def renew(self, claimed: Sequence[ClaimedElement], lease: timedelta) -> None:
        """Push the lease of elements we still hold further out (only while our claim holds)."""
        until = utcnow() + lease
        for part in id_batches(claimed):
            self._elements.update_many(
                {
                    "_id": {"$in": [str(c.element.id) for c in part]},
                    "claim": {"$in": list({c.claim for c in part})},
                    "status": _PROCESSING,
                },
                {"$set": {"leaseUntil": until}},
            )

    def record_results(
        self, results: Sequence[ElementResult], claims: Mapping[uuid.UUID, str], owed: Owed | None = None
    ) -> int:
        """Processing -> Succeeded/Failed, only where our claim still holds; moves the counters by
        what actually changed: Processing is lowered before the element write, the final statuses
        raised after it. Returns the number recorded.

        With ``owed``, the raise is left in it instead, and what it already holds for an operation
        goes into that operation's one counter write before the element write (a flush costs one
        counter write, not two); ``settle`` writes the rest. Without, it is written at once.

        Results with the same outcome fields (typically all successes of a fast handler) share one
        ``update_many`` per id piece: a per-element ``UpdateOne`` costs the server a transaction
        each; the others go in one bulk write per operation and outcome."""
        now = utcnow()
        groups: dict[tuple[uuid.UUID, bool, str], tuple[Document, list[ElementResult]]] = {}
        for result in results:
            status = ElementProcessingStatus.SUCCEEDED if result.succeeded else ElementProcessingStatus.FAILED
            changes: Document = {
                "status": status.value,
                "processedDate": now,
                "durationMs": result.duration_ms,
                "error": result.error[:2000],
                "leaseUntil": None,
                "attempts": result.attempts,
            }
            for key, value in result.metadata.items():
                changes[f"meta.{key}"] = value
            group = (result.operation_id, result.succeeded, repr(sorted(changes.items())))
            groups.setdefault(group, (changes, []))[1].append(result)
        pending: Owed = owed if owed is not None else {}
        attempted = Counter(str(r.operation_id) for r in results)
        for op, count in attempted.items():
            counts = pending.pop(op, Counter())
            counts[_EL.PROCESSING] -= count
            move_counts(self._operations, op, counts, now=now if _finals(counts) else None)
        changed_by: dict[tuple[uuid.UUID, bool], int] = defaultdict(int)
        singles: dict[tuple[uuid.UUID, bool], list[UpdateOne]] = defaultdict(list)
        for (operation_id, succeeded, _), (changes, members) in groups.items():
            if len(members) == 1:
                (result,) = members
                singles[(operation_id, succeeded)].append(
                    UpdateOne(
                        {
                            "_id": str(result.element_id),
                            "status": _PROCESSING,
                            "claim": claims[result.element_id],
                        },
                        {"$set": changes},
                    )
                )
                continue
            for part in id_batches(members):
                changed_by[(operation_id, succeeded)] += self._elements.update_many(
                    {
                        "_id": {"$in": [str(r.element_id) for r in part]},
                        "status": _PROCESSING,
                        "claim": {"$in": list({claims[r.element_id] for r in part})},
                    },
                    {"$set": changes},
                ).modified_count
        # Outcomes with fields of their own (an invocation id each) share one bulk write: one
        # round trip instead of one per element.
        for outcome, requests in singles.items():
            changed_by[outcome] += self._elements.bulk_write(requests, ordered=False).modified_count
        for op, count in attempted.items():
            succeeded_n, failed_n = changed_by[(uuid.UUID(op), True)], changed_by[(uuid.UUID(op), False)]
            arrived = pending.setdefault(op, Counter())
            arrived.update(
                {
                    _EL.SUCCEEDED: succeeded_n,
                    _EL.FAILED: failed_n,
                    _EL.PROCESSING: count - succeeded_n - failed_n,
                }
            )
        if owed is None:
            self.settle(pending)
        return sum(changed_by.values())

    def element_operations(self, element_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The stored operation of each of ``element_ids`` that exists."""
        found: dict[uuid.UUID, uuid.UUID] = {}
        for part in id_batches([str(e) for e in element_ids]):
            for doc in self._elements.find({"_id": {"$in": list(part)}}, {"op": 1}):
                found[uuid.UUID(doc["_id"])] = uuid.UUID(doc["op"])
        return found

    def settle(self, owed: Owed) -> None:
        """Write the counter changes ``record_results`` left owed (their elements are stored)."""
        now = utcnow()
        for op, changes in owed.items():
            move_counts(self._operations, op, changes, now=now if _finals(changes) else None)
        owed.clear()

    def expired_leases(self, limit: int = 10_000) -> list[ClaimedElement]:
        """Elements left in Processing past their lease (their worker died or stalled).

        Asked operation by operation, so each query is an (op, status) index range holding only
        that operation's in-flight elements: a status-only query scans the whole collection
        (every few seconds, over millions of elements, it halved processing on SecantusDB)."""
        now = utcnow()
        found: list[ClaimedElement] = []
        for operation in self._operations.find({"status": {"$in": _MAY_PROCESS}}, {"_id": 1}):
            # Hinted: SecantusDB plans a collection scan when a predicate outside the index remains.
            cursor = (
                self._elements.find(
                    {"op": operation["_id"], "status": _PROCESSING, "leaseUntil": {"$lt": now}}
                )
                .hint(OP_STATUS_SEQ)
                .limit(limit - len(found))
            )
            found.extend(ClaimedElement(element_from_document(doc), doc.get("claim") or "") for doc in cursor)
            if len(found) >= limit:
                break
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
                    {
                        "_id": {"$in": [str(e.id) for e in part]},
                        "status": _PROCESSING,
                        "leaseUntil": {"$lt": now},
                    },
                    {"$set": {"status": _UNPROCESSED, "claim": None, "leaseUntil": None}},
                ).modified_count
                for part in id_batches(members)
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
        self, operation_id: uuid.UUID, batch_size: int = 5_000
    ) -> Iterator[BatchElement]:
        """Stream an operation's unprocessed elements (for re-publishing after a loss)."""
        cursor = self._elements.find({"op": str(operation_id), "status": _UNPROCESSED}, batch_size=batch_size)
        for doc in cursor.sort("seq", ASCENDING):
            yield element_from_document(doc)


def _finals(changes: Mapping[ElementProcessingStatus, int]) -> bool:
    """Whether ``changes`` count elements into a final status (progress: the operation is touched)."""
    return bool(changes.get(_EL.SUCCEEDED) or changes.get(_EL.FAILED))
