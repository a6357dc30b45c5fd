"""Pydantic models of operations, elements, requests and pages. No I/O here."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from batchops.domain.statuses import BatchOperationStatus, ElementProcessingStatus

BATCH_COMMAND_INVOCATION = "BatchCommandInvocation"
PARAM_COMMAND_TOKEN = "commandToken"
META_BATCH_OPERATION_TOKEN = "batch"
META_INVOCATION_EVENT_ID = "invocation"

# Element ids are derived from (operation id, device token), so re-inserting an element after a
# crash yields the same id and the unique index turns it into a no-op.
_ELEMENT_NAMESPACE = uuid.UUID("6d9a4c1e-5b0f-4d0e-9a57-3f1b2c8e7a10")


def element_id_for(operation_id: uuid.UUID, device_token: str) -> uuid.UUID:
    """``uuid.uuid5(namespace, f"{operation_id}/{device_token}")`` (see ``element_ids_for``)."""
    return element_ids_for(operation_id, [device_token])[0]


# A version-5 UUID is SHA-1(namespace + name)'s first 16 bytes with its variant and version bits set.
_V5_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_V5_SET = (0x8000 << 48) | (5 << 76)


def element_ids_for(operation_id: uuid.UUID, device_tokens: Iterable[str]) -> list[uuid.UUID]:
    """Each token's element id, ``uuid.uuid5(namespace, f"{operation_id}/{token}")``, computed as
    ``uuid.uuid5`` does but hashing the shared prefix (namespace, operation id) once: 3.4 instead
    of 8.9 µs per id, for every element a chunk initializes."""
    prefix = hashlib.sha1(_ELEMENT_NAMESPACE.bytes + f"{operation_id}/".encode(), usedforsecurity=False)
    ids: list[uuid.UUID] = []
    for token in device_tokens:
        digest = prefix.copy()
        digest.update(token.encode())
        ids.append(uuid.UUID(int=(int.from_bytes(digest.digest()[:16]) & _V5_CLEAR) | _V5_SET))
    return ids


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ElementCounts(_Model):
    unprocessed: int = 0
    processing: int = 0
    succeeded: int = 0
    failed: int = 0
    canceled: int = 0

    @property
    def finished(self) -> int:
        """Elements in a final status."""
        return self.succeeded + self.failed + self.canceled

    def of(self, status: ElementProcessingStatus) -> int:
        return int(getattr(self, status.value.lower()))


class OperationControl(_Model):
    """One operator action on an operation (pause, resume, cancel, force-cancel, retry)."""

    action: str
    username: str | None = None
    date: datetime
    reason: str = ""


class BatchOperation(_Model):
    id: uuid.UUID
    token: str
    operation_type: str
    parameters: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)
    # Command parameter values live apart from metadata so no metadata update can wipe them.
    invocation_parameters: dict[str, str] = Field(default_factory=dict)
    status: BatchOperationStatus = BatchOperationStatus.UNPROCESSED
    processing_started_date: datetime | None = None
    processing_ended_date: datetime | None = None
    created_date: datetime
    created_by: str | None = None
    updated_date: datetime | None = None
    updated_by: str | None = None
    counts: ElementCounts = ElementCounts()
    total_elements: int = 0
    device_token_count: int = 0
    target_chunk_count: int = 0
    targeting: str = ""
    last_error: str = ""
    # The phase a Paused operation resumes in (None unless Paused).
    paused_phase: BatchOperationStatus | None = None
    last_control: OperationControl | None = None
    # What processing waits for right now (an unavailable dependency); empty: nothing.
    waiting_on: str = ""
    # 0 for the first run; each retry adds 1.
    round: int = 0


class ElementRound(_Model):
    """How an element ended in one round, kept when a retry sends it back to Unprocessed."""

    round: int
    status: ElementProcessingStatus
    error_message: str = ""
    attempts: int = 0
    processed_date: datetime | None = None


class BatchElement(_Model):
    id: uuid.UUID
    operation_id: uuid.UUID
    device_token: str
    device_id: uuid.UUID | None = None
    seq: int = 0
    status: ElementProcessingStatus = ElementProcessingStatus.UNPROCESSED
    processed_date: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    error_message: str = ""
    attempts: int = 0
    duration_ms: int = 0
    round: int = 0
    earlier_rounds: list[ElementRound] = Field(default_factory=list)


class OperationCreate(_Model):
    """A validated request to create an operation; its device tokens travel beside it as a list
    (up to millions of them: kept out of the model so they are not copied and re-validated)."""

    token: str | None = None
    operation_type: str
    parameters: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)
    invocation_parameters: dict[str, str] = Field(default_factory=dict)
    targeting: str = ""
    created_by: str | None = None


class OperationUpdate(_Model):
    """Only fields that are not None change; metadata is merged key by key."""

    status: BatchOperationStatus | None = None
    processing_started_date: datetime | None = None
    processing_ended_date: datetime | None = None
    metadata: dict[str, str] | None = None
    updated_by: str | None = None


class ElementCreate(_Model):
    device_token: str
    status: ElementProcessingStatus = ElementProcessingStatus.UNPROCESSED
    processed_date: datetime | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    error_message: str = ""


class ElementUpdate(_Model):
    """Only fields that are not None change; metadata is merged key by key."""

    status: ElementProcessingStatus | None = None
    processed_date: datetime | None = None
    metadata: dict[str, str] | None = None
    error_message: str | None = None


class Paging(_Model):
    page_number: int = 1  # 1-based, as SiteWhere
    page_size: int = 100

    @property
    def skip(self) -> int:
        return (self.page_number - 1) * self.page_size


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    total: int
    items: list[T]
