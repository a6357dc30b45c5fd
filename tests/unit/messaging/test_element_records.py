"""Element records made in bulk are byte for byte the records made one by one."""

from __future__ import annotations

import uuid

from batchops.domain import element_id_for
from batchops.messaging.codecs import ElementWork, decode_element_work, element_records, encode_element_work


def test_records_in_bulk_are_the_records_one_by_one_across_operations() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    targets = [(first, "d-1"), (first, "d-2"), (second, "ü-3"), (first, "d-4"), (second, "x" * 300)]
    works = [ElementWork(element_id_for(op, token), op, token) for op, token in targets]

    records = list(element_records(iter(works)))  # a one-pass iterable, as the publisher gives it

    assert records == [(w.device_token, encode_element_work(w)) for w in works]
    assert [decode_element_work(value) for _, value in records] == works
