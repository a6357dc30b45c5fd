"""Elements read from their stored documents: every field, as the element model holds it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from batchops.domain import BatchElement, ElementProcessingStatus, ElementRound
from batchops.store.documents import element_document, element_from_document
from batchops.store.fields import ATTEMPTS, DEVICE, DURATION_MS, EARLIER_ROUNDS, ROUND

_EL = ElementProcessingStatus
WHEN = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
EARLIER = datetime(2026, 11, 27, 6, 30, tzinfo=UTC)


def test_a_full_document_gives_every_field() -> None:
    element_id, operation_id, device_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    doc = element_document(
        element_id,
        operation_id,
        "device-7",
        41,
        status=_EL.FAILED,
        processed_date=WHEN,
        metadata={"invocation": "abc"},
        error_message="no assignment",
    )
    doc |= {DEVICE: str(device_id), ATTEMPTS: 3, DURATION_MS: 120, ROUND: 1}
    doc[EARLIER_ROUNDS] = [
        {"round": 0, "status": _EL.FAILED.value, "error": "timeout", "attempts": 2, "processedDate": EARLIER}
    ]
    expected = BatchElement(
        id=element_id,
        operation_id=operation_id,
        device_token="device-7",
        device_id=device_id,
        seq=41,
        status=_EL.FAILED,
        processed_date=WHEN,
        metadata={"invocation": "abc"},
        error_message="no assignment",
        attempts=3,
        duration_ms=120,
        round=1,
        earlier_rounds=[
            ElementRound(
                round=0, status=_EL.FAILED, error_message="timeout", attempts=2, processed_date=EARLIER
            )
        ],
    )
    assert element_from_document(doc) == expected
    # The ids a caller parsed already are taken as given.
    assert element_from_document(doc, element_id=element_id, operation_id=operation_id) == expected


def test_a_new_document_gives_the_defaults() -> None:
    element_id, operation_id = uuid.uuid4(), uuid.uuid4()
    element = element_from_document(element_document(element_id, str(operation_id), "device-1", 0))
    assert element == BatchElement(id=element_id, operation_id=operation_id, device_token="device-1")
    assert isinstance(element.id, uuid.UUID) and element.status is _EL.UNPROCESSED


def test_a_damaged_document_is_refused() -> None:
    doc = element_document(uuid.uuid4(), uuid.uuid4(), "device-1", 0)
    doc["status"] = "Sideways"
    with pytest.raises(ValidationError):
        element_from_document(doc)
