"""Deleting an operation while a chunk of it is being initialized leaves nothing behind: the
initializer's insert may land after the delete's sweep, and must not leave orphan elements."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database

from batchops.devstack import Endpoints
from batchops.domain import OperationCreate, element_id_for
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import ELEMENTS, TARGETS, TOMBSTONES
from batchops.store.documents import element_document
from batchops.store.work_store import WorkStore

STRIDE = 1_000_000


@pytest.fixture
def database(servers: Endpoints, unique_name: str) -> Iterator[Database[dict[str, Any]]]:
    connector = MongoConnector(servers.mongo_uri, "deltest-")
    yield connector.tenant_database(unique_name)
    connector.drop_tenant_database(unique_name)
    connector.close()


def test_a_chunk_inserted_after_the_delete_swept_leaves_no_orphans(
    database: Database[dict[str, Any]],
) -> None:
    batch, work = BatchStore(database, target_chunk_size=100), WorkStore(database)
    tokens = [f"d{i:03d}" for i in range(250)]
    op = batch.create_operation(OperationCreate(operation_type="Custom"), tokens)
    assert work.initialization.begin_initialization(op.id)
    chunks = dict(work.initialization.target_chunks(op.id))
    work.initialization.store_chunk_targets(op.id, 0, chunks[0])
    work.initialization.mark_chunk_initialized(
        op.id, 0, work.initialization.insert_chunk_elements(op.id, 0, STRIDE, chunks[0])
    )
    # The initializer has read the operation and holds chunk 1 when the delete runs to the end...
    assert work.operations.operation(op.id) is not None
    batch.delete_operation(op.id)
    # ...and only then stores the chunk's targets and inserts its elements, as it does in that order.
    work.initialization.store_chunk_targets(op.id, 1, chunks[1])
    assert work.initialization.insert_chunk_elements(op.id, 1, STRIDE, chunks[1]) == 0
    assert not work.initialization.mark_chunk_initialized(op.id, 1, 0)

    assert database[ELEMENTS].count_documents({"op": str(op.id)}) == 0
    assert database[TARGETS].count_documents({"op": str(op.id)}) == 0
    assert work.operations.operation(op.id) is None and work.operations.deleted([op.id]) == {op.id}


def test_recovery_sweeps_what_a_crashed_initializer_left_after_a_delete(
    database: Database[dict[str, Any]],
) -> None:
    """An initializer that crashed between its insert and its tombstone check left elements of a
    deleted operation (its redelivered record is skipped): recovery's sweep removes them."""
    batch, work = BatchStore(database, target_chunk_size=100), WorkStore(database)
    op = batch.create_operation(OperationCreate(operation_type="Custom"), ["a", "b", "c"])
    batch.delete_operation(op.id)
    # What the crashed initializer's insert left: its chunk's targets and elements.
    database[TARGETS].insert_one(
        {"_id": f"{op.id}:0000000", "op": str(op.id), "idx": 0, "tokens": ["a", "b"]}
    )
    database[ELEMENTS].insert_many(
        [element_document(element_id_for(op.id, t), op.id, t, i) for i, t in enumerate(["a", "b"])]
    )
    tombstone = database[TOMBSTONES].find_one({"_id": str(op.id)})
    assert tombstone is not None and tombstone["sweepPending"] is True

    assert (
        work.recovery.sweep_deleted(settled_before=tombstone["deletedDate"]) == 2
    )  # recent: swept, kept pending
    assert database[ELEMENTS].count_documents({"op": str(op.id)}) == 0
    assert database[TARGETS].count_documents({"op": str(op.id)}) == 0
    assert database[TOMBSTONES].find_one({"_id": str(op.id)})["sweepPending"] is True  # type: ignore[index]

    later = tombstone["deletedDate"] + timedelta(minutes=5)
    assert work.recovery.sweep_deleted(settled_before=later) == 0  # a last sweep, then it is done with
    assert "sweepPending" not in database[TOMBSTONES].find_one({"_id": str(op.id)})  # type: ignore[operator]
    assert work.recovery.sweep_deleted(settled_before=later) == 0
