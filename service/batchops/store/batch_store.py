"""A tenant's operations and elements on MongoDB, exposed as intent rather than queries.

Every status change is a compare-and-set: ``update_one`` whose filter names the status the
change was decided on, so concurrent writers cannot both win. Per-status counters on the
operation document move with every element status change (``$inc``), so progress is one read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from batchops.domain import (
    AlreadyExists,
    BatchElement,
    BatchOperation,
    BatchOperationStatus,
    ConcurrentUpdate,
    ElementCreate,
    ElementProcessingStatus,
    ElementUpdate,
    ErrorCode,
    FailedPrecondition,
    IllegalTransition,
    NotFound,
    OperationCreate,
    OperationUpdate,
    Page,
    Paging,
    element_id_for,
    element_transition_allowed,
    operation_transition_allowed,
)
from batchops.domain.validation import check_string_map
from batchops.store.counters import arrive, leave, move_counts
from batchops.store.database import ELEMENTS, OPERATIONS, TARGETS, TOMBSTONES
from batchops.store.documents import (
    Document,
    element_document,
    element_from_document,
    operation_from_document,
    operation_to_document,
    target_chunk_document,
)
from batchops.store.events import created_event, new_operation_outbox, status_set_event, with_event
from batchops.store.fields import (
    CREATED_DATE,
    DELETED_DATE,
    ENDED_DATE,
    ERROR,
    ID,
    OP,
    PROCESSED_DATE,
    SEQ,
    STARTED_DATE,
    STATUS,
    SWEEP_PENDING,
    TOKEN,
    UPDATED_BY,
    UPDATED_DATE,
    meta_field,
)

_CAS_ATTEMPTS = 8
DEFAULT_TARGET_CHUNK_SIZE = 10_000


def utcnow() -> datetime:
    # Mongo keeps milliseconds; trimming here makes what we return equal what we read back.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class BatchStore:
    """Persistence for one tenant (one database)."""

    def __init__(self, database: Database[Document], *, target_chunk_size: int = DEFAULT_TARGET_CHUNK_SIZE):
        self._db = database
        self._operations = database[OPERATIONS]
        self._elements = database[ELEMENTS]
        self._targets = database[TARGETS]
        self._tombstones = database[TOMBSTONES]
        self._chunk_size = target_chunk_size

    @property
    def target_chunk_size(self) -> int:
        return self._chunk_size

    # ---- operations -------------------------------------------------------------------------

    def create_operation(self, create: OperationCreate, device_tokens: Iterable[str]) -> BatchOperation:
        """Persist an operation (Unprocessed) and its target list, or nothing at all.

        Tokens are streamed into chunk documents (repeats within a chunk dropped at once; repeats
        across chunks are dropped by the elements' unique index at initialization, which then makes
        the device-token count exact), so even a million tokens never sit in memory twice. The
        target list is written first and the operation document last: a reader never sees an
        operation whose targets are incomplete, and any failure removes the chunks again.
        """
        token = create.token or str(uuid.uuid4())
        if self._operations.count_documents({TOKEN: token}, limit=1):
            raise AlreadyExists(
                ErrorCode.DUPLICATE_BATCH_OPERATION_TOKEN,
                f"Batch operation token '{token}' is already in use.",
            )
        operation_id = uuid.uuid4()
        try:
            chunk_count, token_count = self._write_targets(operation_id, device_tokens)
            operation = BatchOperation(
                id=operation_id,
                token=token,
                operation_type=create.operation_type,
                parameters=create.parameters,
                metadata=create.metadata,
                invocation_parameters=create.invocation_parameters,
                created_date=utcnow(),
                created_by=create.created_by,
                device_token_count=token_count,
                target_chunk_count=chunk_count,
                targeting=create.targeting,
            )
            self._operations.insert_one(
                {**operation_to_document(operation), **new_operation_outbox(created_event(operation))}
            )
        except DuplicateKeyError:
            self._targets.delete_many({OP: str(operation_id)})
            raise AlreadyExists(
                ErrorCode.DUPLICATE_BATCH_OPERATION_TOKEN,
                f"Batch operation token '{token}' is already in use.",
            ) from None
        except BaseException:
            self._targets.delete_many({OP: str(operation_id)})
            raise
        return operation

    def insert_operation(self, operation: BatchOperation) -> BatchOperation:
        """Insert a fully formed operation (one that arrived on the operations topic)."""
        try:
            self._operations.insert_one(
                {**operation_to_document(operation), **new_operation_outbox(created_event(operation))}
            )
        except DuplicateKeyError:
            raise AlreadyExists(
                ErrorCode.DUPLICATE_BATCH_OPERATION_TOKEN,
                f"Batch operation token '{operation.token}' is already in use.",
            ) from None
        return operation

    def find_operation_id_by_token(self, token: str) -> uuid.UUID | None:
        doc = self._operations.find_one({TOKEN: token}, {ID: 1})
        return uuid.UUID(doc[ID]) if doc else None

    def _write_targets(self, operation_id: uuid.UUID, device_tokens: Iterable[str]) -> tuple[int, int]:
        """Write chunk documents as tokens arrive; returns (chunks, tokens) written."""
        op = str(operation_id)
        pending: list[Document] = []
        chunk: dict[str, None] = {}
        chunks = tokens = 0

        def close_chunk() -> None:
            nonlocal chunk, chunks, tokens
            pending.append(target_chunk_document(op, chunks, list(chunk)))
            chunks += 1
            tokens += len(chunk)
            chunk = {}
            if len(pending) >= 10:
                self._targets.insert_many(pending, ordered=False)
                pending.clear()

        for device_token in device_tokens:
            chunk[device_token] = None
            if len(chunk) >= self._chunk_size:
                close_chunk()
        if chunk:
            close_chunk()
        if pending:
            self._targets.insert_many(pending, ordered=False)
        return chunks, tokens

    def get_operation(self, operation_id: uuid.UUID) -> BatchOperation:
        doc = self._operations.find_one({ID: str(operation_id)})
        if doc is None:
            raise NotFound(
                ErrorCode.INVALID_BATCH_OPERATION_ID, f"Batch operation id '{operation_id}' not found."
            )
        return operation_from_document(doc)

    def get_operation_by_token(self, token: str) -> BatchOperation:
        doc = self._operations.find_one({TOKEN: token})
        if doc is None:
            raise NotFound(
                ErrorCode.INVALID_BATCH_OPERATION_TOKEN, f"Batch operation token '{token}' not found."
            )
        return operation_from_document(doc)

    def list_operations(
        self,
        paging: Paging,
        keep: Callable[[BatchOperation], bool] | None = None,
        statuses: Collection[BatchOperationStatus] = (),
    ) -> Page[BatchOperation]:
        """One page (of the operations in ``statuses``, if any are given); ``keep`` may end it
        early (returning False for the first item left out)."""
        query: Document = {STATUS: {"$in": sorted(s.value for s in statuses)}} if statuses else {}
        total = self._operations.count_documents(query)
        cursor = (
            self._operations.find(query)
            .sort([(CREATED_DATE, DESCENDING), (ID, DESCENDING)])
            .skip(paging.skip)
            .limit(paging.page_size)
        )
        items = _take(cursor, operation_from_document, keep)
        return Page[BatchOperation](total=total, items=items)

    def update_operation(self, operation_id: uuid.UUID, update: OperationUpdate) -> BatchOperation:
        """Apply the fields present in ``update``; a status change is checked and compare-and-set."""
        for _ in range(_CAS_ATTEMPTS):
            current = self.get_operation(operation_id)
            changes: dict[str, Any] = {UPDATED_DATE: utcnow()}
            if update.updated_by is not None:
                changes[UPDATED_BY] = update.updated_by
            if update.status is not None:
                if not operation_transition_allowed(current.status, update.status):
                    raise IllegalTransition("Batch operation", current.status.value, update.status.value)
                changes[STATUS] = update.status.value
            if update.processing_started_date is not None:
                changes[STARTED_DATE] = update.processing_started_date
            if update.processing_ended_date is not None:
                changes[ENDED_DATE] = update.processing_ended_date
            if update.metadata:
                # Updates merge key by key: bound the merged map, not just the request's part.
                check_string_map({**current.metadata, **update.metadata}, "metadata")
            for key, value in (update.metadata or {}).items():
                changes[meta_field(key)] = value
            # A status change carries its event in the same write: only the write that won the
            # compare-and-set has one.
            event = status_set_event(current, update.status, changes[UPDATED_DATE], update.updated_by)
            document: Document = {"$set": changes}
            result = self._operations.update_one(
                {ID: str(operation_id), STATUS: current.status.value},
                with_event(document, event) if event is not None else document,
            )
            if result.matched_count:
                return self.get_operation(operation_id)
        raise ConcurrentUpdate(f"Batch operation '{operation_id}'")

    def delete_operation(self, operation_id: uuid.UUID) -> BatchOperation:
        """Remove the operation, all its elements and targets; remember it so late records stay dead.

        The tombstone is written first and the operation document last, so a crash part-way
        leaves an operation that a repeated delete finishes off.
        """
        operation = self.get_operation(operation_id)
        op = str(operation_id)
        # sweepPending: recovery sweeps again for a while (``RecoveryQueries.sweep_deleted``), for what a
        # writer that crashed mid-chunk inserted after our sweep.
        self._tombstones.replace_one(
            {ID: op},
            {ID: op, TOKEN: operation.token, DELETED_DATE: utcnow(), SWEEP_PENDING: True},
            upsert=True,
        )
        self._elements.delete_many({OP: op})
        self._targets.delete_many({OP: op})
        self._operations.delete_one({ID: op})
        return operation

    # ---- elements ---------------------------------------------------------------------------

    def create_element(self, operation_id: uuid.UUID, create: ElementCreate) -> BatchElement:
        if self.get_operation(operation_id).status.is_final:
            raise FailedPrecondition(
                f"Batch operation '{operation_id}' is finished; it takes no new elements."
            )
        status = create.status
        processed = create.processed_date or (utcnow() if status.is_final else None)
        element_id = element_id_for(operation_id, create.device_token)
        # Elements added one by one sort after the bulk-created ones, in arrival order.
        seq = 1 << 42 | time.time_ns() // 1_000_000
        doc = element_document(
            element_id,
            operation_id,
            create.device_token,
            seq,
            status=status,
            processed_date=processed,
            metadata=create.metadata,
            error_message=create.error_message,
        )
        try:
            self._elements.insert_one(doc)
        except DuplicateKeyError:
            raise AlreadyExists(
                ErrorCode.DUPLICATE_BATCH_ELEMENT,
                f"Batch operation '{operation_id}' already has an element for "
                f"device '{create.device_token}'.",
            ) from None
        move_counts(self._operations, operation_id, {status: 1}, total=1)
        return element_from_document(doc)

    def get_element(self, element_id: uuid.UUID) -> BatchElement:
        doc = self._elements.find_one({ID: str(element_id)})
        if doc is None:
            raise NotFound(ErrorCode.INVALID_BATCH_ELEMENT_ID, f"Batch element id '{element_id}' not found.")
        return element_from_document(doc)

    def list_elements(
        self,
        operation_id: uuid.UUID,
        paging: Paging,
        status: ElementProcessingStatus | None = None,
        keep: Callable[[BatchElement], bool] | None = None,
    ) -> Page[BatchElement]:
        self.get_operation(operation_id)
        query: Document = {OP: str(operation_id)}
        if status is not None:
            query[STATUS] = status.value
        total = self._elements.count_documents(query)
        cursor = (
            self._elements.find(query)
            .sort([(SEQ, ASCENDING), (ID, ASCENDING)])
            .skip(paging.skip)
            .limit(paging.page_size)
        )
        return Page[BatchElement](total=total, items=_take(cursor, element_from_document, keep))

    def update_element(self, element_id: uuid.UUID, update: ElementUpdate) -> BatchElement:
        """Apply the fields present in ``update``; a status change is compare-and-set and moves the
        operation's counters with it."""
        for _ in range(_CAS_ATTEMPTS):
            current = self.get_element(element_id)
            changes = _element_changes(current, update)
            new_status = update.status
            if not changes:
                return current
            # Counters leave the old status before the write and reach the new one after it, so a
            # crash in between leaves them lagging, never ahead.
            moving = new_status if new_status is not None and new_status != current.status else None
            if moving is not None:
                leave(self._operations, current.operation_id, current.status, 1)
            result = self._elements.update_one(
                {ID: str(element_id), STATUS: current.status.value}, {"$set": changes}
            )
            if moving is not None:
                arrive(
                    self._operations,
                    current.operation_id,
                    current.status,
                    moving,
                    attempted=1,
                    moved=result.modified_count,
                )
            if result.matched_count:
                return self.get_element(element_id)
        raise ConcurrentUpdate(f"Batch element '{element_id}'")


def _element_changes(current: BatchElement, update: ElementUpdate) -> dict[str, Any]:
    """The ``$set`` of an element update (only the fields present), after checking the status
    transition and bounding the merged metadata."""
    changes: dict[str, Any] = {}
    new_status = update.status
    if new_status is not None and not element_transition_allowed(current.status, new_status):
        raise IllegalTransition("Batch element", current.status.value, new_status.value)
    if new_status is not None:
        changes[STATUS] = new_status.value
        if new_status.is_final and update.processed_date is None and current.processed_date is None:
            changes[PROCESSED_DATE] = utcnow()
    if update.processed_date is not None:
        changes[PROCESSED_DATE] = update.processed_date
    if update.error_message is not None:
        changes[ERROR] = update.error_message
    if update.metadata:
        # Updates merge key by key: bound the merged map, not just the request's part.
        check_string_map({**current.metadata, **update.metadata}, "metadata")
    for key, value in (update.metadata or {}).items():
        changes[meta_field(key)] = value
    return changes


_Item = TypeVar("_Item")


def _take(cursor: Any, convert: Callable[[Any], _Item], keep: Callable[[_Item], bool] | None) -> list[_Item]:
    """Convert documents until ``keep`` refuses one; the cursor is closed so the rest of the
    page is never fetched."""
    items: list[_Item] = []
    with cursor:
        for doc in cursor:
            item = convert(doc)
            if keep is not None and not keep(item):
                break
            items.append(item)
    return items
