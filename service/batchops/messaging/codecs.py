"""Kafka payloads: raw protobuf for the two work topics (as SiteWhere), JSON for failed elements.

Decoding validates enough that the consumers can trust what they get; anything else raises
``UndecodableRecord`` and goes to the dead-letter topic.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from batchops.domain import BatchOperation, DomainError, ElementProcessingStatus
from batchops.errors import BatchopsError, ErrorKind
from batchops.protocol.convert import operation_status_from_wire, uuid_from_wire, uuid_to_wire
from batchops.wire import batch_model_pb2 as bm

_MASK64 = (1 << 64) - 1


class UndecodableRecord(BatchopsError):
    """A record whose value is not what its topic carries."""

    kind = ErrorKind.INVALID_INPUT


@dataclass(frozen=True)
class OperationChunk:
    """One record of the operations topic: an operation and (part of) its target list."""

    operation: bm.GBatchOperation
    device_tokens: list[str]
    chunk_index: int
    chunk_count: int

    @property
    def operation_id(self) -> uuid.UUID | None:
        op_id = self.operation.id
        return None if op_id.msb == 0 and op_id.lsb == 0 else uuid.UUID(int=(op_id.msb << 64) | op_id.lsb)


@dataclass(frozen=True)
class ElementWork:
    """One record of the elements topic: which element of which operation to process."""

    element_id: uuid.UUID
    operation_id: uuid.UUID
    device_token: str


def encode_operation_chunk(
    operation: bm.GBatchOperation, device_tokens: list[str], chunk_index: int, chunk_count: int
) -> bytes:
    message = bm.GUnprocessedBatchOperation(
        batchOperation=operation, deviceTokens=device_tokens, chunkIndex=chunk_index, chunkCount=chunk_count
    )
    return message.SerializeToString()


def decode_operation_chunk(value: bytes | None) -> OperationChunk:
    if not value:
        raise UndecodableRecord("empty record value")
    try:
        message = bm.GUnprocessedBatchOperation.FromString(value)
    except DecodeError as exc:
        raise UndecodableRecord(f"not a GUnprocessedBatchOperation: {exc}") from None
    if not message.HasField("batchOperation"):
        raise UndecodableRecord("GUnprocessedBatchOperation without batchOperation")
    # SiteWhere producers send one complete record: chunk 0 of 0, read as 0 of 1.
    count = message.chunkCount or 1
    if message.chunkIndex < 0 or message.chunkIndex >= count:
        raise UndecodableRecord(f"chunk index {message.chunkIndex} outside 0..{count - 1}")
    try:
        operation_status_from_wire(message.batchOperation.processingStatus)
    except DomainError as exc:
        raise UndecodableRecord(exc.message) from None
    return OperationChunk(message.batchOperation, list(message.deviceTokens), message.chunkIndex, count)


def encode_element_work(work: ElementWork) -> bytes:
    return next(element_records([work]))[1]


def element_records(works: Iterable[ElementWork]) -> Iterator[tuple[str, bytes]]:
    """Each element's record: its device token (the key) and its ``GUnprocessedBatchElement``,
    made by filling one message in place instead of building two per record (1.5 instead of
    8.3 µs a record; initialization sends one per element)."""
    record = bm.GUnprocessedBatchElement()
    element = record.batchElement
    element.processingStatus = bm.BATCH_ELEMENT_STATUS_UNPROCESSED
    element_id = element.id
    operation: uuid.UUID | None = None
    for work in works:
        if work.operation_id != operation:
            operation = work.operation_id
            element.batchOperationId.CopyFrom(uuid_to_wire(operation))
        number = work.element_id.int
        element_id.msb, element_id.lsb = number >> 64, number & _MASK64
        element.deviceToken = work.device_token
        yield work.device_token, record.SerializeToString()


def decode_element_work(
    value: bytes | None, operation_ids: dict[tuple[int, int], uuid.UUID] | None = None
) -> ElementWork:
    """``operation_ids``: operation ids decoded before (by their two halves), filled in here. A
    consumer batch's records mostly name one operation: it is parsed once, and its elements then
    share one id object (sets and dicts of them compare by identity first)."""
    if not value:
        raise UndecodableRecord("empty record value")
    try:
        element = bm.GUnprocessedBatchElement.FromString(value).batchElement
        element_id = uuid_from_wire(element.id, "element id")
        wire_operation = element.batchOperationId
        halves = (wire_operation.msb, wire_operation.lsb)
        operation_id = operation_ids.get(halves) if operation_ids is not None else None
        if operation_id is None:
            operation_id = uuid_from_wire(wire_operation, "operation id")
            if operation_ids is not None:
                operation_ids[halves] = operation_id
    except DecodeError as exc:
        raise UndecodableRecord(f"not a GUnprocessedBatchElement: {exc}") from None
    except DomainError as exc:
        raise UndecodableRecord(exc.message) from None
    if not element.deviceToken:
        raise UndecodableRecord("element without device token")
    return ElementWork(element_id, operation_id, element.deviceToken)


def encode_failed_element(
    operation: BatchOperation, device_token: str, error: str, element_id: uuid.UUID | None = None
) -> bytes:
    """SiteWhere's JSON (a BatchElementCreateRequest) plus the operation and the reason."""
    payload: dict[str, object] = {
        "deviceToken": device_token,
        "processingStatus": ElementProcessingStatus.FAILED.value,
        "metadata": {},
        "batchOperationId": str(operation.id),
        "batchOperationToken": operation.token,
        "elementId": str(element_id) if element_id else None,
        "error": error,
    }
    return json.dumps(payload).encode()
