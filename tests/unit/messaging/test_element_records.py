"""Element records made in bulk (one message filled in place) are byte for byte the messages built
field by field, across operations, and decode back to their work."""

from __future__ import annotations

import uuid

from batchops.domain import element_id_for
from batchops.messaging.codecs import ElementWork, decode_element_work, element_records, encode_element_work
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import batch_model_pb2 as bm


def _built(work: ElementWork) -> bytes:
    element = bm.GBatchElement(
        id=uuid_to_wire(work.element_id),
        batchOperationId=uuid_to_wire(work.operation_id),
        processingStatus=bm.BATCH_ELEMENT_STATUS_UNPROCESSED,
        deviceToken=work.device_token,
    )
    return bm.GUnprocessedBatchElement(batchElement=element).SerializeToString()


def test_records_in_bulk_are_the_messages_built_field_by_field_across_operations() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    targets = [(first, "d-1"), (first, "d-2"), (second, "ü-3"), (first, "d-4"), (second, "x" * 300)]
    works = [ElementWork(element_id_for(op, token), op, token) for op, token in targets]

    records = list(element_records(iter(works)))  # a one-pass iterable, as the publisher gives it

    assert records == [(w.device_token, _built(w)) for w in works]
    assert [encode_element_work(w) for w in works] == [_built(w) for w in works]
    assert [decode_element_work(value) for _, value in records] == works


def test_a_batch_decodes_each_operation_id_once_and_shares_it() -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    works = [
        ElementWork(element_id_for(op, f"d-{i}"), op, f"d-{i}") for i, op in enumerate([first, second] * 3)
    ]
    seen: dict[tuple[int, int], uuid.UUID] = {}

    decoded = [decode_element_work(_built(w), seen) for w in works]

    assert decoded == works
    assert sorted(seen.values()) == sorted([first, second])
    assert {id(w.operation_id) for w in decoded} == {id(seen[k]) for k in seen}  # one object each
