"""What the engine needs from the store and from Kafka, as structural types.

The engine is written against these, so in-memory stand-ins can take the place of MongoDB and the
producer (``tests/unit/fakes``); ``batchops.store.work_store.WorkStore``, ``BatchStore`` and
``ConfirmedProducer`` satisfy them as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from batchops.domain import BatchElement, BatchOperation, BatchOperationStatus
from batchops.store.counters import Owed
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult


class OperationsPort(Protocol):
    """Reading operations and marking their progress."""

    def operation(self, operation_id: uuid.UUID) -> BatchOperation | None: ...

    def operations(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperation]: ...

    def statuses(self, operation_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, BatchOperationStatus]: ...

    def deleted(self, operation_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    def operations_in(
        self,
        statuses: Sequence[BatchOperationStatus],
        older_than: datetime | None = None,
        newer_than: datetime | None = None,
    ) -> Iterator[BatchOperation]: ...

    def operation_counts(self) -> dict[str, int]: ...

    def mark_published(self, operation_id: uuid.UUID) -> None: ...

    def touch(self, operation_id: uuid.UUID, **fields: Any) -> None: ...

    def progress(self, operation_id: uuid.UUID) -> None: ...

    def record_error(self, operation_id: uuid.UUID, error: str) -> None: ...

    def set_waiting_on(self, operation_ids: Iterable[uuid.UUID], text: str) -> None: ...


class InitializationPort(Protocol):
    """Initializing an operation chunk by chunk."""

    def begin_initialization(self, operation_id: uuid.UUID) -> bool: ...

    def insert_chunk_elements(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        chunk_size: int,
        tokens: Sequence[str],
        start: int = 0,
        element_ids: Sequence[uuid.UUID] | None = None,
    ) -> int: ...

    def store_chunk_targets(
        self, operation_id: uuid.UUID, chunk_index: int, tokens: Sequence[str]
    ) -> None: ...

    def target_chunks(self, operation_id: uuid.UUID) -> Iterator[tuple[int, list[str]]]: ...

    def mark_chunk_initialized(
        self,
        operation_id: uuid.UUID,
        chunk_index: int,
        present: int,
        *,
        rejected: int = 0,
        tokens: int = 0,
    ) -> bool: ...

    def chunks_done(self, operation_id: uuid.UUID) -> tuple[set[int], int]: ...

    def complete_initialization(self, operation_id: uuid.UUID) -> BatchOperation | None: ...


class ClaimsPort(Protocol):
    """Claiming elements under a lease (compare-and-set) and renewing the lease."""

    def claim(self, wanted: Mapping[uuid.UUID, uuid.UUID], lease: timedelta) -> list[ClaimedElement]: ...

    def renew(self, claimed: Sequence[ClaimedElement], lease: timedelta) -> None: ...

    def hand_back(self, claimed: Sequence[ClaimedElement], ran: bool = False) -> int: ...

    def element_operations(self, element_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]: ...


class OutcomesPort(Protocol):
    """Recording outcomes where the claim still holds, and the counters they owe."""

    def record_results(
        self,
        results: Sequence[ElementResult],
        claims: Mapping[uuid.UUID, str],
        owed: Owed | None = None,
        spare: Mapping[str, int] | None = None,
    ) -> int: ...

    def settle(self, owed: Owed) -> None: ...


class FinishingPort(Protocol):
    """Initialized* -> Finished* once every element is final."""

    def finish_if_complete(self, operation_id: uuid.UUID) -> BatchOperation | None: ...

    def finish_from_elements(self, operation_id: uuid.UUID) -> BatchOperation | None: ...


class ControlPort(Protocol):
    """What the engine does with operator control: carry a canceled operation to its end."""

    def settle(self, operation_id: uuid.UUID) -> BatchOperation | None: ...


class RecoveryQueriesPort(Protocol):
    """Finding work a crash, a lost record or a failed publish left behind."""

    def unpublished_operations(
        self, created_before: datetime, include_published: bool
    ) -> Iterator[BatchOperation]: ...

    def stalled_initializations(self, before: datetime) -> Iterator[BatchOperation]: ...

    def end_initialization(self, operation_id: uuid.UUID, before: datetime) -> BatchOperation | None: ...

    def expired_leases(self, limit: int = ...) -> list[ClaimedElement]: ...

    def requeue_expired(self, elements: Sequence[BatchElement]) -> list[BatchElement]: ...

    def unprocessed_elements(
        self, operation_id: uuid.UUID, batch_size: int = ...
    ) -> Iterator[BatchElement]: ...

    def sweep_deleted(self, settled_before: datetime) -> int: ...


class WorkPort(Protocol):
    """A tenant's pipeline store, one part per concern (``WorkStore``)."""

    @property
    def operations(self) -> OperationsPort: ...

    @property
    def initialization(self) -> InitializationPort: ...

    @property
    def claims(self) -> ClaimsPort: ...

    @property
    def outcomes(self) -> OutcomesPort: ...

    @property
    def finishing(self) -> FinishingPort: ...

    @property
    def recovery(self) -> RecoveryQueriesPort: ...

    @property
    def control(self) -> ControlPort: ...


class OperationCatalog(Protocol):
    """The part of ``BatchStore`` the Kafka entry point uses to create operations."""

    def find_operation_id_by_token(self, token: str) -> uuid.UUID | None: ...

    def insert_operation(self, operation: BatchOperation) -> BatchOperation: ...


class RecordSender(Protocol):
    """Confirmed sends to Kafka (``ConfirmedProducer``): each call returns once every record is
    acknowledged, or raises ``PublishError``."""

    def send_all(
        self, topic: str, records: Iterable[tuple[str | bytes, bytes]], timeout: float = 60.0
    ) -> int: ...

    def send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None: ...
