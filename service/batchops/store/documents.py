"""Conversion between domain models and MongoDB documents (field names live only here)."""

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
)

Document = dict[str, Any]

COUNT_FIELDS = {status: f"counts.{status.value}" for status in ElementProcessingStatus}


def zero_counts() -> dict[str, int]:
    return {status.value: 0 for status in ElementProcessingStatus}


def operation_to_document(operation: BatchOperation) -> Document:
    return {
        "_id": str(operation.id),
        "token": operation.token,
        "type": operation.operation_type,
        "params": dict(operation.parameters),
        "meta": dict(operation.metadata),
        "invocationParams": dict(operation.invocation_parameters),
        "status": operation.status.value,
        "startedDate": operation.processing_started_date,
        "endedDate": operation.processing_ended_date,
        "createdDate": operation.created_date,
        "createdBy": operation.created_by,
        "updatedDate": operation.updated_date,
        "updatedBy": operation.updated_by,
        "counts": {status.value: operation.counts.of(status) for status in ElementProcessingStatus},
        "total": operation.total_elements,
        "tokenCount": operation.device_token_count,
        "chunkCount": operation.target_chunk_count,
        "targeting": operation.targeting,
        "lastError": operation.last_error,
    }


def operation_from_document(doc: Mapping[str, Any]) -> BatchOperation:
    counts: Mapping[str, int] = doc.get("counts") or {}
    return BatchOperation(
        id=uuid.UUID(doc["_id"]),
        token=doc["token"],
        operation_type=doc["type"],
        parameters=doc.get("params") or {},
        metadata=doc.get("meta") or {},
        invocation_parameters=doc.get("invocationParams") or {},
        status=BatchOperationStatus(doc["status"]),
        processing_started_date=doc.get("startedDate"),
        processing_ended_date=doc.get("endedDate"),
        created_date=doc["createdDate"],
        created_by=doc.get("createdBy"),
        updated_date=doc.get("updatedDate"),
        updated_by=doc.get("updatedBy"),
        counts=ElementCounts(
            unprocessed=max(0, counts.get(ElementProcessingStatus.UNPROCESSED.value, 0)),
            processing=max(0, counts.get(ElementProcessingStatus.PROCESSING.value, 0)),
            succeeded=max(0, counts.get(ElementProcessingStatus.SUCCEEDED.value, 0)),
            failed=max(0, counts.get(ElementProcessingStatus.FAILED.value, 0)),
        ),
        total_elements=doc.get("total", 0),
        device_token_count=doc.get("tokenCount", 0),
        target_chunk_count=doc.get("chunkCount", 0),
        targeting=doc.get("targeting", ""),
        last_error=doc.get("lastError", ""),
    )


def element_document(
    element_id: uuid.UUID,
    operation_id: uuid.UUID,
    device_token: str,
    seq: int,
    *,
    status: ElementProcessingStatus = ElementProcessingStatus.UNPROCESSED,
    processed_date: datetime | None = None,
    metadata: Mapping[str, str] | None = None,
    error_message: str = "",
) -> Document:
    return {
        "_id": str(element_id),
        "op": str(operation_id),
        "token": device_token,
        "device": None,
        "seq": seq,
        "status": status.value,
        "processedDate": processed_date,
        "meta": dict(metadata or {}),
        "error": error_message,
        "attempts": 0,
        "durationMs": 0,
        "leaseUntil": None,
    }


def element_from_document(doc: Mapping[str, Any]) -> BatchElement:
    device = doc.get("device")
    return BatchElement(
        id=uuid.UUID(doc["_id"]),
        operation_id=uuid.UUID(doc["op"]),
        device_token=doc["token"],
        device_id=uuid.UUID(device) if device else None,
        seq=doc.get("seq", 0),
        status=ElementProcessingStatus(doc["status"]),
        processed_date=doc.get("processedDate"),
        metadata=doc.get("meta") or {},
        error_message=doc.get("error") or "",
        attempts=doc.get("attempts", 0),
        duration_ms=doc.get("durationMs", 0),
    )
