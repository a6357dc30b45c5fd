"""In-memory stand-ins for the engine's ports (``batchops.engine.ports``): the store parts with
the same compare-and-set rules as MongoDB's (``batchops.store.work``), a producer that records
what it sends, and consumed records.

They model the rules, not the storage: counters move exactly (no crash between two writes), and
times are real ``utcnow()`` so tests age data by writing past dates (``FakeWork.age``)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from batchops.domain import (
    AlreadyExists,
    BatchElement,
    BatchOperation,
    BatchOperationStatus,
    ElementCounts,
    ElementProcessingStatus,
    ErrorCode,
    element_id_for,
)
from batchops.messaging.kafka import PublishError
from batchops.store import utcnow
from batchops.store.counters import Owed
from batchops.store.limits import MAX_ERROR_CHARS
from batchops.store.work.claims import RECLAIM_SUFFIX, ClaimedElement
from batchops.store.work.outcomes import ElementResult

OpStatus = BatchOperationStatus
ElStatus = ElementProcessingStatus
_MAY_PROCESS = (OpStatus.INITIALIZING, OpStatus.INITIALIZED_SUCCESSFULLY, OpStatus.INITIALIZED_WITH_ERRORS)


@dataclass
class OperationRow:
    """An operation document: the model plus the fields only the pipeline reads."""

    operation: BatchOperation
    published: bool = False
    chunks_done: set[int] = field(default_factory=set)
    init_errors: int = 0
    progress_date: datetime | None = None

    def update(self, **changes: Any) -> None:
        self.operation = self.operation.model_copy(update=changes)


@dataclass
class ElementRow:
    element: BatchElement
    claim: str | None = None
    lease_until: datetime | None = None

    def update(self, **changes: Any) -> None:
        self.element = self.element.model_copy(update=changes)


@dataclass
class State:
    operations: dict[uuid.UUID, OperationRow] = field(default_factory=dict)
    elements: dict[uuid.UUID, ElementRow] = field(default_factory=dict)
    targets: dict[tuple[uuid.UUID, int], list[str]] = field(default_factory=dict)
    tombstones: dict[uuid.UUID, tuple[datetime, bool]] = field(default_factory=dict)  # date, pending
    renewals: int = 0

    def move_counts(
        self, operation_id: uuid.UUID | str, changes: Mapping[ElStatus, int], total: int = 0
    ) -> None:
        """As ``counters.move_counts``: only while the operation is not final."""
        row = self.operations.get(uuid.UUID(str(operation_id)))
        if row is None or row.operation.status.is_final:
            return
        counts = {s: row.operation.counts.of(s) + changes.get(s, 0) for s in ElStatus}
        row.update(counts=_counts(counts), total_elements=row.operation.total_elements + total)
        if changes.get(ElStatus.SUCCEEDED) or changes.get(ElStatus.FAILED):
            row.update(updated_date=utcnow())  # elements reached a final status: progress

    def of_operation(self, operation_id: uuid.UUID) -> list[ElementRow]:
        return sorted(
            (r for r in self.elements.values() if r.element.operation_id == operation_id),
            key=lambda r: r.element.seq,
        )


def _counts(counts: Mapping[ElStatus, int]) -> ElementCounts:
    return ElementCounts(
        unprocessed=counts[ElStatus.UNPROCESSED],
        processing=counts[ElStatus.PROCESSING],
        succeeded=counts[ElStatus.SUCCEEDED],
        failed=counts[ElStatus.FAILED],
        canceled=counts[ElStatus.CANCELED],
    )


class FakeOperations:
    def __init__(self, state: State) -> None:
        self._s = state

    def operation(self, operation_id: uuid.UUID) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        return row.operation if row else None

    def operations(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperation]:
        return {i: self._s.operations[i].operation for i in set(operation_ids) if i in self._s.operations}

    def statuses(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, OpStatus]:
        return {op: operation.status for op, operation in self.operations(operation_ids).items()}

    def deleted(self, operation_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return {i for i in operation_ids if i in self._s.tombstones}

    def operations_in(
        self,
        statuses: Sequence[OpStatus],
        older_than: datetime | None = None,
        newer_than: datetime | None = None,
    ) -> Iterator[BatchOperation]:
        for row in list(self._s.operations.values()):
            op = row.operation
            if op.status not in statuses or (
                older_than is not None and not _before(op.updated_date, older_than)
            ):
                continue
            if newer_than is None or (op.updated_date is not None and op.updated_date >= newer_than):
                yield op

    def operation_counts(self) -> dict[str, int]:
        return dict(Counter(r.operation.status.value for r in self._s.operations.values()))

    def mark_published(self, operation_id: uuid.UUID) -> None:
        self._s.operations[operation_id].published = True
        self.touch(operation_id)

    def touch(self, operation_id: uuid.UUID, **fields: Any) -> None:
        self._s.operations[operation_id].update(updated_date=utcnow(), **fields)

    def progress(self, operation_id: uuid.UUID) -> None:
        row = self._s.operations[operation_id]
        row.update(updated_date=utcnow())
        row.progress_date = row.operation.updated_date

    def record_error(self, operation_id: uuid.UUID, error: str) -> None:
        self._s.operations[operation_id].update(last_error=error[:MAX_ERROR_CHARS])

    def set_waiting_on(self, operation_ids: Iterable[uuid.UUID], text: str) -> None:
        for operation_id in set(operation_ids):
            if operation_id in self._s.operations:
                self._s.operations[operation_id].update(waiting_on=text[:MAX_ERROR_CHARS])


def _before(date: datetime | None, cutoff: datetime) -> bool:
    return date is not None and date < cutoff


class FakeInitialization:
    def __init__(self, state: State) -> None:
        self._s = state

    def begin_initialization(self, operation_id: uuid.UUID) -> bool:
        row = self._s.operations.get(operation_id)
        if row is None or row.operation.status != OpStatus.UNPROCESSED:
            return False
        now = utcnow()
        row.update(status=OpStatus.INITIALIZING, processing_started_date=now, updated_date=now)
        row.progress_date = now
        return True

    def insert_chunk_elements(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        chunk_size: int,
        tokens: Sequence[str],
        start: int = 0,
        element_ids: Sequence[uuid.UUID] | None = None,
    ) -> int:
        base = chunk_index * chunk_size
        present = 0
        for offset, token in enumerate(tokens):
            element_id = element_id_for(operation_id, token)
            if element_id not in self._s.elements:
                element = BatchElement(
                    id=element_id, operation_id=operation_id, device_token=token, seq=base + start + offset
                )
                self._s.elements[element_id] = ElementRow(element)
            if base <= self._s.elements[element_id].element.seq < base + chunk_size:
                present += 1
        if operation_id in self._s.tombstones:
            self.purge(operation_id)
            return 0
        return present

    def purge(self, operation_id: uuid.UUID) -> None:
        for row in self._s.of_operation(operation_id):
            del self._s.elements[row.element.id]
        for key in [k for k in self._s.targets if k[0] == operation_id]:
            del self._s.targets[key]

    def store_chunk_targets(self, operation_id: uuid.UUID, chunk_index: int, tokens: Sequence[str]) -> None:
        self._s.targets.setdefault((operation_id, chunk_index), list(tokens))

    def target_chunks(self, operation_id: uuid.UUID) -> Iterator[tuple[int, list[str]]]:
        for (op, index), tokens in sorted(self._s.targets.items()):
            if op == operation_id:
                yield index, list(tokens)

    def mark_chunk_initialized(
        self, operation_id: uuid.UUID, chunk_index: int, present: int, *, rejected: int = 0, tokens: int = 0
    ) -> bool:
        row = self._s.operations.get(operation_id)
        if row is None or chunk_index in row.chunks_done:
            return False
        row.chunks_done.add(chunk_index)
        row.init_errors += rejected
        op = row.operation
        row.update(
            total_elements=op.total_elements + present,
            counts=op.counts.model_copy(update={"unprocessed": op.counts.unprocessed + present}),
            device_token_count=op.device_token_count + tokens,
            updated_date=utcnow(),
        )
        row.progress_date = row.operation.updated_date
        return True

    def chunks_done(self, operation_id: uuid.UUID) -> tuple[set[int], int]:
        row = self._s.operations.get(operation_id)
        return (set(row.chunks_done), row.operation.target_chunk_count) if row else (set(), 0)

    def complete_initialization(self, operation_id: uuid.UUID) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        if row is None or row.operation.status != OpStatus.INITIALIZING:
            return None
        if len(row.chunks_done) < max(row.operation.target_chunk_count, 1):
            return None
        new = OpStatus.INITIALIZED_WITH_ERRORS if row.init_errors else OpStatus.INITIALIZED_SUCCESSFULLY
        row.update(status=new, updated_date=utcnow(), device_token_count=row.operation.total_elements)
        return row.operation


class FakeClaims:
    def __init__(self, state: State) -> None:
        self._s = state

    def claim(self, wanted: Mapping[uuid.UUID, uuid.UUID], lease: timedelta) -> list[ClaimedElement]:
        now, token = utcnow(), uuid.uuid4().hex
        claimed: list[ClaimedElement] = []
        for element_id, operation_id in wanted.items():
            row = self._s.elements.get(element_id)
            if row is None or row.element.operation_id != operation_id:
                continue
            if row.element.status == ElStatus.UNPROCESSED:
                self._s.move_counts(operation_id, {ElStatus.UNPROCESSED: -1, ElStatus.PROCESSING: 1})
                row.update(status=ElStatus.PROCESSING)
                row.claim = token
            elif row.element.status == ElStatus.PROCESSING and _before(row.lease_until, now):
                row.claim = token + RECLAIM_SUFFIX  # taken over: its counters already say Processing
            else:
                continue  # held by a live claim, or final
            row.lease_until = now + lease
            row.update(attempts=row.element.attempts + 1)
            claimed.append(ClaimedElement(row.element, row.claim))
        return claimed

    def renew(self, claimed: Sequence[ClaimedElement], lease: timedelta) -> None:
        self._s.renewals += 1
        until = utcnow() + lease
        for c in claimed:
            row = self._s.elements.get(c.element.id)
            if row is not None and row.claim == c.claim and row.element.status == ElStatus.PROCESSING:
                row.lease_until = until

    def hand_back(self, claimed: Sequence[ClaimedElement], ran: bool = False) -> int:
        moved = 0
        for c in claimed:
            row = self._s.elements.get(c.element.id)
            if row is None or row.claim != c.claim or row.element.status != ElStatus.PROCESSING:
                continue
            self._s.move_counts(row.element.operation_id, {ElStatus.PROCESSING: -1, ElStatus.UNPROCESSED: 1})
            row.update(status=ElStatus.UNPROCESSED, attempts=row.element.attempts - (0 if ran else 1))
            row.claim, row.lease_until = None, None
            moved += 1
        return moved

    def element_operations(self, element_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        return {e: self._s.elements[e].element.operation_id for e in element_ids if e in self._s.elements}


class FakeControl:
    """``Control.settle``: a Canceling operation's never-run elements are Canceled, and it ends
    Canceled once none is Processing."""

    def __init__(self, state: State) -> None:
        self._s = state

    def settle(self, operation_id: uuid.UUID) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        if row is None or row.operation.status != OpStatus.CANCELING:
            return None
        for element in self._s.of_operation(operation_id):
            if element.element.status == ElStatus.UNPROCESSED:
                self._s.move_counts(operation_id, {ElStatus.UNPROCESSED: -1, ElStatus.CANCELED: 1})
                element.update(status=ElStatus.CANCELED)
        if any(e.element.status == ElStatus.PROCESSING for e in self._s.of_operation(operation_id)):
            return None
        row.update(status=OpStatus.CANCELED)
        return row.operation


class FakeOutcomes:
    def __init__(self, state: State) -> None:
        self._s = state

    def record_results(
        self,
        results: Sequence[ElementResult],
        claims: Mapping[uuid.UUID, str],
        owed: Owed | None = None,
        spare: Mapping[str, int] | None = None,
    ) -> int:
        pending: Owed = owed if owed is not None else {}
        spares: Mapping[str, int] = spare if spare is not None and owed is not None else {}
        attempted = Counter(str(r.operation_id) for r in results)
        for op, count in attempted.items():
            counts = pending.pop(op, Counter())
            if counts[ElStatus.PROCESSING] >= count:  # taken off ahead (see the real one)
                counts[ElStatus.PROCESSING] -= count
                pending[op] = counts
                continue
            extra = max(spares.get(op, 0), 0)
            counts[ElStatus.PROCESSING] -= count + extra
            self._s.move_counts(op, counts)
            pending[op] = Counter({ElStatus.PROCESSING: extra})
        changed: Counter[tuple[str, ElStatus]] = Counter()
        for result in results:
            row = self._s.elements.get(result.element_id)
            if (
                row is None
                or row.element.status != ElStatus.PROCESSING
                or row.claim != claims[result.element_id]
            ):
                continue  # our claim no longer holds
            status = ElStatus.SUCCEEDED if result.succeeded else ElStatus.FAILED
            row.update(
                status=status,
                processed_date=utcnow(),
                duration_ms=result.duration_ms,
                error_message=result.error[:MAX_ERROR_CHARS],
                attempts=result.attempts,
                metadata={**row.element.metadata, **result.metadata},
            )
            row.lease_until = None
            changed[(str(result.operation_id), status)] += 1
        for op, count in attempted.items():
            succeeded, failed = changed[(op, ElStatus.SUCCEEDED)], changed[(op, ElStatus.FAILED)]
            pending.setdefault(op, Counter()).update(
                {
                    ElStatus.SUCCEEDED: succeeded,
                    ElStatus.FAILED: failed,
                    ElStatus.PROCESSING: count - succeeded - failed,
                }
            )
        if owed is None:
            self.settle(pending)
        return sum(changed.values())

    def settle(self, owed: Owed) -> None:
        for op, changes in owed.items():
            self._s.move_counts(op, changes)
        owed.clear()


class FakeFinishing:
    def __init__(self, state: State) -> None:
        self._s = state

    def finish_if_complete(self, operation_id: uuid.UUID) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        if row is None or not row.operation.status.is_initialized:
            return None
        op = row.operation
        if op.counts.finished < op.total_elements:
            return None
        counts = op.counts.model_copy(update={"unprocessed": 0, "processing": 0})
        return self._finish(row, any_failed=op.counts.failed > 0, counts=counts)

    def finish_from_elements(self, operation_id: uuid.UUID) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        if row is None or not row.operation.status.is_initialized:
            return None
        by_status = Counter(r.element.status for r in self._s.of_operation(operation_id))
        if by_status[ElStatus.UNPROCESSED] or by_status[ElStatus.PROCESSING]:
            return None
        total = sum(by_status.values())
        counts = _counts({s: by_status[s] for s in ElStatus})
        return self._finish(
            row,
            any_failed=by_status[ElStatus.FAILED] > 0,
            counts=counts,
            total_elements=total,
            device_token_count=total,
        )

    def _finish(self, row: OperationRow, *, any_failed: bool, **fields: Any) -> BatchOperation | None:
        with_errors = any_failed or row.operation.status == OpStatus.INITIALIZED_WITH_ERRORS
        new = OpStatus.FINISHED_WITH_ERRORS if with_errors else OpStatus.FINISHED_SUCCESSFULLY
        now = utcnow()
        row.update(status=new, processing_ended_date=now, updated_date=now, **fields)
        return row.operation


class FakeRecoveryQueries:
    def __init__(self, state: State) -> None:
        self._s = state

    def unpublished_operations(
        self, created_before: datetime, include_published: bool
    ) -> Iterator[BatchOperation]:
        for row in list(self._s.operations.values()):
            op = row.operation
            stale = op.status == OpStatus.UNPROCESSED and op.created_date < created_before
            if stale and (include_published or not row.published):
                yield op

    def stalled_initializations(self, before: datetime) -> Iterator[BatchOperation]:
        for row in list(self._s.operations.values()):
            if row.operation.status == OpStatus.INITIALIZING and _no_progress(row, before):
                yield row.operation

    def end_initialization(self, operation_id: uuid.UUID, before: datetime) -> BatchOperation | None:
        row = self._s.operations.get(operation_id)
        if row is None or row.operation.status != OpStatus.INITIALIZING or not _no_progress(row, before):
            return None
        expected = max(row.operation.target_chunk_count, 1)
        reason = (
            f"initialization timed out: {len(row.chunks_done)} of {expected} target chunk(s) arrived; "
            "the elements of those are processed"
        )
        row.update(
            status=OpStatus.INITIALIZED_WITH_ERRORS,
            updated_date=utcnow(),
            device_token_count=row.operation.total_elements,
            last_error=reason,
        )
        return row.operation

    def expired_leases(self, limit: int = 10_000) -> list[ClaimedElement]:
        now = utcnow()
        found = [
            ClaimedElement(r.element, r.claim or "")
            for r in self._s.elements.values()
            if r.element.status == ElStatus.PROCESSING
            and _before(r.lease_until, now)
            and self._s.operations[r.element.operation_id].operation.status in _MAY_PROCESS
        ]
        return found[:limit]

    def requeue_expired(self, elements: Sequence[BatchElement]) -> list[BatchElement]:
        now = utcnow()
        for element in elements:
            row = self._s.elements.get(element.id)
            if (
                row is not None
                and row.element.status == ElStatus.PROCESSING
                and _before(row.lease_until, now)
            ):
                self._s.move_counts(element.operation_id, {ElStatus.PROCESSING: -1, ElStatus.UNPROCESSED: 1})
                row.update(status=ElStatus.UNPROCESSED)
                row.claim = row.lease_until = None
        return list(elements)

    def unprocessed_elements(
        self, operation_id: uuid.UUID, batch_size: int = 5_000
    ) -> Iterator[BatchElement]:
        for row in self._s.of_operation(operation_id):
            if row.element.status == ElStatus.UNPROCESSED:
                yield row.element

    def sweep_deleted(self, settled_before: datetime) -> int:
        removed = 0
        for operation_id, (deleted_date, pending) in list(self._s.tombstones.items()):
            if not pending:
                continue
            leftovers = self._s.of_operation(operation_id)
            removed += len(leftovers)
            FakeInitialization(self._s).purge(operation_id)
            if deleted_date < settled_before:
                self._s.tombstones[operation_id] = (deleted_date, False)
        return removed


def _no_progress(row: OperationRow, before: datetime) -> bool:
    if row.progress_date is not None:
        return row.progress_date < before
    return _before(row.operation.updated_date, before)


class FakeWork:
    """``WorkStore`` in memory: the same parts, over one shared state, plus helpers to set up and
    inspect data."""

    def __init__(self) -> None:
        self.state = State()
        self.operations = FakeOperations(self.state)
        self.initialization = FakeInitialization(self.state)
        self.claims = FakeClaims(self.state)
        self.outcomes = FakeOutcomes(self.state)
        self.finishing = FakeFinishing(self.state)
        self.recovery = FakeRecoveryQueries(self.state)
        self.control = FakeControl(self.state)

    def add_operation(
        self,
        tokens: Sequence[str] = (),
        *,
        status: OpStatus = OpStatus.INITIALIZED_SUCCESSFULLY,
        operation_type: str = "Test",
        chunks: int = 1,
        **fields: Any,
    ) -> BatchOperation:
        """An operation with its target list in ``chunks`` chunks and, unless Unprocessed, its
        elements (Unprocessed) counted in."""
        op_id = uuid.uuid4()
        operation = BatchOperation(
            id=op_id,
            token=f"op-{op_id.hex[:8]}",
            operation_type=operation_type,
            status=status,
            created_date=utcnow(),
            updated_date=utcnow(),
            target_chunk_count=chunks,
            device_token_count=len(tokens),
            **fields,
        )
        self.state.operations[op_id] = OperationRow(operation)
        size = max(1, -(-len(tokens) // chunks))
        for index in range(chunks):
            self.state.targets[(op_id, index)] = list(tokens[index * size : (index + 1) * size])
        if status != OpStatus.UNPROCESSED:
            for index in range(chunks):
                part = self.state.targets[(op_id, index)]
                present = self.initialization.insert_chunk_elements(op_id, index, 1_000_000, part)
                self.initialization.mark_chunk_initialized(op_id, index, present)
        return self.state.operations[op_id].operation

    def elements(self, operation_id: uuid.UUID) -> dict[str, BatchElement]:
        """The operation's elements by device token."""
        return {r.element.device_token: r.element for r in self.state.of_operation(operation_id)}

    def set_element(
        self,
        element_id: uuid.UUID,
        *,
        claim: str | None = None,
        lease_until: datetime | None = None,
        **changes: Any,
    ) -> None:
        """Put an element in a state directly (moving its counters with it)."""
        row = self.state.elements[element_id]
        new = changes.get("status", row.element.status)
        self.state.move_counts(row.element.operation_id, {row.element.status: -1, new: 1})
        row.update(**changes)
        row.claim, row.lease_until = claim, lease_until

    def age(self, operation_id: uuid.UUID, by: timedelta) -> None:
        """Move the operation's dates ``by`` into the past (as if nothing happened since)."""
        row = self.state.operations[operation_id]
        op = row.operation
        row.update(created_date=op.created_date - by, updated_date=(op.updated_date or utcnow()) - by)
        row.progress_date = row.progress_date - by if row.progress_date else None

    def delete(self, operation_id: uuid.UUID) -> None:
        """As ``BatchStore.delete_operation``: tombstone first, then everything of it."""
        self.state.tombstones[operation_id] = (utcnow(), True)
        self.initialization.purge(operation_id)
        del self.state.operations[operation_id]


class FakeCatalog:
    """The part of ``BatchStore`` the Kafka entry point uses, over a ``FakeWork``'s state."""

    def __init__(self, work: FakeWork) -> None:
        self._s = work.state

    def find_operation_id_by_token(self, token: str) -> uuid.UUID | None:
        return next((i for i, r in self._s.operations.items() if r.operation.token == token), None)

    def insert_operation(self, operation: BatchOperation) -> BatchOperation:
        if operation.id in self._s.operations or self.find_operation_id_by_token(operation.token):
            raise AlreadyExists(ErrorCode.DUPLICATE_BATCH_OPERATION_TOKEN, f"'{operation.token}' is in use.")
        self._s.operations[operation.id] = OperationRow(operation)
        return operation


@dataclass(frozen=True)
class Sent:
    key: str | bytes
    value: bytes
    headers: Mapping[str, str] | None = None


class FakeProducer:
    """Records every confirmed send by topic; ``refuse`` makes sends to a topic fail (whole, or
    only records larger than ``max_bytes``)."""

    def __init__(self) -> None:
        self.sent: dict[str, list[Sent]] = {}
        self._refused: dict[str, int] = {}
        self.refusals: Counter[str] = Counter()  # sends refused, by topic

    def refuse(self, topic: str, max_bytes: int = -1) -> None:
        self._refused[topic] = max_bytes

    def accept(self, topic: str) -> None:
        self._refused.pop(topic, None)

    def send_all(
        self, topic: str, records: Iterable[tuple[str | bytes, bytes]], timeout: float = 60.0
    ) -> int:
        batch = [Sent(key, value) for key, value in records]
        for record in batch:
            self._check(topic, record.value)
        self.sent.setdefault(topic, []).extend(batch)
        return len(batch)

    def send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        self._check(topic, value)
        self.sent.setdefault(topic, []).append(Sent(key, value, dict(headers or {})))

    def _check(self, topic: str, value: bytes) -> None:
        limit = self._refused.get(topic)
        if limit is not None and len(value) > limit:
            self.refusals[topic] += 1
            raise PublishError(f"record to {topic} refused", too_large=limit >= 0)

    def on(self, topic: str) -> list[Sent]:
        return self.sent.get(topic, [])


class IdleBeat:
    """A heartbeat whose idle time is set by the test (``Heartbeat`` for ``Recovery``)."""

    def __init__(self, idle_seconds: float = 0.0) -> None:
        self.idle = idle_seconds

    def idle_seconds(self) -> float:
        return self.idle

    def activity(self) -> None: ...

    def beat(self, _operation_id: uuid.UUID) -> None: ...


class FakeRecord:
    """A consumed Kafka record (what the consumers read of ``confluent_kafka.Message``)."""

    def __init__(
        self, value: bytes | None, key: bytes | None = None, topic: str = "in", offset: int = 0
    ) -> None:
        self._value, self._key, self._topic, self._offset = value, key, topic, offset

    def value(self) -> bytes | None:
        return self._value

    def key(self) -> bytes | None:
        return self._key

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return 0

    def offset(self) -> int:
        return self._offset
