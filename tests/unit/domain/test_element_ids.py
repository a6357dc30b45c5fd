"""The batch form of element ids is the per-token form, id for id."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from batchops.domain import element_id_for, element_ids_for


@settings(max_examples=200, deadline=None)
@given(operation_id=st.uuids(), tokens=st.lists(st.text(min_size=1, max_size=60), max_size=20))
def test_element_ids_for_gives_each_tokens_element_id_for(operation_id: uuid.UUID, tokens: list[str]) -> None:
    # ``st.text`` draws surrogates too; like ``uuid.uuid5`` the batch form cannot encode those.
    tokens = [t for t in tokens if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
    ids = element_ids_for(operation_id, tokens)

    assert ids == [element_id_for(operation_id, token) for token in tokens]
    assert all(i.version == 5 and i.variant == uuid.RFC_4122 for i in ids)


def test_element_ids_for_nothing_is_empty() -> None:
    assert element_ids_for(uuid.uuid4(), []) == []
