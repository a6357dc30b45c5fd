"""Conversion between domain models and MongoDB documents (field names spelled in ``fields``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from batchops.domain import (
    BatchElement,
    BatchOperation,
    BatchOperationStatus,
    ElementCounts,
    ElementProcessingStatus,
    OperationControl,
)
from batchops.store.fields import (
    ATTEMPTS,
    CHUNK_COUNT,
    CONTROL,
    CONTROL_ACTION,
    CONTROL_BY,
    CONTROL_DATE,
    CONTROL_REASON,
    COUNTS,
    CREATED_BY,
    CREATED_DATE,
    DEVICE,
    DURATION_MS,
    EARLIER_ROUNDS,
    ENDED_DATE,
    ERROR,
    ID,
    IDX,
    INVOCATION_PARAMS,
    LAST_ERROR,
    LEASE_UNTIL,
    META,
    OP,
    PARAMS,
    PROCESSED_DATE,
    RESUME_PHASE,
    ROUND,
    SEQ,
    STARTED_DATE,
    STATUS,
    TARGETING,
    TOKEN,
    TOKEN_COUNT,
    TOKENS,
    TOTAL,
    TYPE,
    UPDATED_BY,
    UPDATED_DATE,
    WAITING_ON,
)

Document = dict[str, Any]


def zero_counts() -> dict[str, int]:
    return {status.value: 0 for status in ElementProcessingStatus}


def operation_to_document(operation: BatchOperation) -> Document:
    return {
        ID: str(operation.id),
        TOKEN: operation.token,
        TYPE: operation.operation_type,
        PARAMS: dict(operation.parameters),
        META: dict(operation.metadata),
        INVOCATION_PARAMS: dict(operation.invocation_parameters),
        STATUS: operation.status.value,
        STARTED_DATE: operation.processing_started_date,
        ENDED_DATE: operation.processing_ended_date,
        CREATED_DATE: operation.created_date,
        CREATED_BY: operation.created_by,
        UPDATED_DATE: operation.updated_date,
        UPDATED_BY: operation.updated_by,
        COUNTS: {status.value: operation.counts.of(status) for status in ElementProcessingStatus},
        TOTAL: operation.total_elements,
        TOKEN_COUNT: operation.device_token_count,
        CHUNK_COUNT: operation.target_chunk_count,
        TARGETING: operation.targeting,
        LAST_ERROR: operation.last_error,
    }


def operation_from_document(doc: Mapping[str, Any]) -> BatchOperation:
    counts: Mapping[str, int] = doc.get(COUNTS) or {}
    return BatchOperation(
        id=uuid.UUID(doc[ID]),
        token=doc[TOKEN],
        operation_type=doc[TYPE],
        parameters=doc.get(PARAMS) or {},
        metadata=doc.get(META) or {},
        invocation_parameters=doc.get(INVOCATION_PARAMS) or {},
        status=BatchOperationStatus(doc[STATUS]),
        processing_started_date=doc.get(STARTED_DATE),
        processing_ended_date=doc.get(ENDED_DATE),
        created_date=doc[CREATED_DATE],
        created_by=doc.get(CREATED_BY),
        updated_date=doc.get(UPDATED_DATE),
        updated_by=doc.get(UPDATED_BY),
        counts=ElementCounts(
            **{
                status.value.lower(): max(0, counts.get(status.value, 0))
                for status in ElementProcessingStatus
            }
        ),
        total_elements=doc.get(TOTAL, 0),
        device_token_count=doc.get(TOKEN_COUNT, 0),
        target_chunk_count=doc.get(CHUNK_COUNT, 0),
        targeting=doc.get(TARGETING, ""),
        last_error=doc.get(LAST_ERROR, ""),
        paused_phase=_paused_phase(doc),
        last_control=_control_from_document(doc.get(CONTROL)),
        waiting_on=doc.get(WAITING_ON) or "",
        round=doc.get(ROUND, 0),
    )


def control_document(action: str, by: str | None, date: datetime, reason: str) -> Document:
    return {CONTROL_ACTION: action, CONTROL_BY: by, CONTROL_DATE: date, CONTROL_REASON: reason}


def _control_from_document(doc: Mapping[str, Any] | None) -> OperationControl | None:
    if not doc:
        return None
    return OperationControl(
        action=doc[CONTROL_ACTION],
        username=doc.get(CONTROL_BY),
        date=doc[CONTROL_DATE],
        reason=doc.get(CONTROL_REASON) or "",
    )


def element_document(
    element_id: uuid.UUID,
    operation_id: uuid.UUID | str,
    device_token: str,
    seq: int,
    *,
    status: ElementProcessingStatus = ElementProcessingStatus.UNPROCESSED,
    processed_date: datetime | None = None,
    metadata: Mapping[str, str] | None = None,
    error_message: str = "",
) -> Document:
    """``operation_id`` may be given as stored (its ``str``): a chunk's elements share it."""
    return {
        ID: str(element_id),
        OP: str(operation_id),
        TOKEN: device_token,
        DEVICE: None,
        SEQ: seq,
        STATUS: status.value,
        PROCESSED_DATE: processed_date,
        META: dict(metadata or {}),
        ERROR: error_message,
        ATTEMPTS: 0,
        DURATION_MS: 0,
        LEASE_UNTIL: None,
    }


def element_from_document(
    doc: Mapping[str, Any], *, element_id: uuid.UUID | None = None, operation_id: uuid.UUID | None = None
) -> BatchElement:
    """``element_id`` / ``operation_id``: the document's ids already parsed by the caller.

    One ``model_validate`` of a plain dict, whose ids, status and dates pydantic converts itself:
    about half the CPU of keyword arguments converted in Python first (a claim's read-back builds
    one element per claimed document)."""
    return BatchElement.model_validate(
        {
            "id": element_id or doc[ID],
            "operation_id": operation_id or doc[OP],
            "device_token": doc[TOKEN],
            "device_id": doc.get(DEVICE) or None,
            "seq": doc.get(SEQ, 0),
            "status": doc[STATUS],
            "processed_date": doc.get(PROCESSED_DATE),
            "metadata": doc.get(META) or {},
            "error_message": doc.get(ERROR) or "",
            "attempts": doc.get(ATTEMPTS, 0),
            "duration_ms": doc.get(DURATION_MS, 0),
            "round": doc.get(ROUND, 0),
            "earlier_rounds": [_round_fields(r) for r in doc.get(EARLIER_ROUNDS) or ()],
        }
    )


def _round_fields(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "round": doc.get(ROUND, 0),
        "status": doc[STATUS],
        "error_message": doc.get(ERROR) or "",
        "attempts": doc.get(ATTEMPTS, 0),
        "processed_date": doc.get(PROCESSED_DATE),
    }


def target_chunk_id(operation_id: str, chunk_index: int) -> str:
    """A target chunk's id: zero-padded, so the ids of an operation's chunks sort in order."""
    return f"{operation_id}:{chunk_index:07d}"


def target_chunk_document(operation_id: str, chunk_index: int, tokens: list[str]) -> Document:
    return {
        ID: target_chunk_id(operation_id, chunk_index),
        OP: operation_id,
        IDX: chunk_index,
        TOKENS: tokens,
    }


def _paused_phase(doc: Mapping[str, Any]) -> BatchOperationStatus | None:
    """The phase a Paused operation resumes in (other operations keep theirs for a retry only)."""
    if doc[STATUS] != BatchOperationStatus.PAUSED.value or not doc.get(RESUME_PHASE):
        return None
    return BatchOperationStatus(doc[RESUME_PHASE])
