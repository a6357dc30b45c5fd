"""Element ids are ``uuid5(namespace, "<operation id>/<device token>")``: stored ids never change,
whether computed one at a time or for a whole chunk."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from batchops.domain import element_id_for, element_ids_for

NAMESPACE = uuid.UUID("6d9a4c1e-5b0f-4d0e-9a57-3f1b2c8e7a10")


def test_an_element_id_is_the_one_stored_ids_were_made_with() -> None:
    operation = uuid.UUID("00000000-0000-4000-8000-000000000001")
    assert element_id_for(operation, "device-1") == uuid.UUID("7730b7b7-050a-5091-bf93-ed275502b621")


@settings(max_examples=200, deadline=None)
@given(operation_id=st.uuids(), tokens=st.lists(st.text(min_size=1, max_size=60), max_size=20))
def test_element_ids_are_uuid5_of_operation_and_token(operation_id: uuid.UUID, tokens: list[str]) -> None:
    # ``st.text`` draws surrogates too, which neither form can encode.
    tokens = [t for t in tokens if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    expected = [uuid.uuid5(NAMESPACE, f"{operation_id}/{token}") for token in tokens]

    assert element_ids_for(operation_id, tokens) == expected
    assert [element_id_for(operation_id, token) for token in tokens] == expected


def test_element_ids_for_nothing_is_empty() -> None:
    assert element_ids_for(uuid.uuid4(), []) == []
