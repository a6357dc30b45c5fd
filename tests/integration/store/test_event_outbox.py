"""The event relay's outbox query on a real MongoDB-protocol server: it finds operations with
pending events through a flag and its sparse index, never by scanning every operation ever
created; the flag comes and goes with the outbox's content, and operations stored before the
flag existed are flagged when the database is opened."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo.database import Database

from batchops.devstack import Endpoints
from batchops.domain import OperationCreate
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import OPERATIONS, ensure_indexes
from batchops.store.event_outbox import EventOutbox
from batchops.store.events import pending_filter
from batchops.store.fields import EVENTS_PENDING, ID, PENDING_EVENTS
from batchops.store.work_store import WorkStore


@pytest.fixture
def database(servers: Endpoints, unique_name: str) -> Iterator[Database[Any]]:
    connector = MongoConnector(servers.mongo_uri, "outboxtest-")
    yield connector.tenant_database(unique_name)
    connector.drop_tenant_database(unique_name)
    connector.close()


def _flag(database: Database[Any], operation_id: object) -> object:
    doc = database[OPERATIONS].find_one({ID: str(operation_id)}, {EVENTS_PENDING: 1})
    assert doc is not None
    return doc.get(EVENTS_PENDING)


def _publish_all(outbox: EventOutbox) -> int:
    published = 0
    for batch in outbox.take(100):
        outbox.published(batch)
        published += len(batch.events)
    return published


def test_the_flag_follows_the_outbox(database: Database[Any]) -> None:
    outbox = EventOutbox(database[OPERATIONS])
    op = BatchStore(database).create_operation(OperationCreate(operation_type="Custom"), ["a", "b"])
    assert _flag(database, op.id) is True
    assert _publish_all(outbox) == 1  # "created"
    assert _flag(database, op.id) is None and outbox.take(100) == []
    WorkStore(database).initialization.begin_initialization(op.id)  # a status change: an event
    assert _flag(database, op.id) is True
    [batch] = outbox.take(100)
    assert [e.event.kind.value for e in batch.events] == ["initializing"]


def test_an_event_appended_while_publishing_keeps_the_flag(database: Database[Any]) -> None:
    outbox = EventOutbox(database[OPERATIONS])
    op = BatchStore(database).create_operation(OperationCreate(operation_type="Custom"), ["a"])
    [batch] = outbox.take(100)
    WorkStore(database).initialization.begin_initialization(op.id)  # after the take, before the removal
    outbox.published(batch)
    assert _flag(database, op.id) is True
    [again] = outbox.take(100)
    assert [e.event.kind.value for e in again.events] == ["initializing"]


def test_operations_stored_before_the_flag_are_flagged_when_the_database_opens(
    database: Database[Any],
) -> None:
    op = BatchStore(database).create_operation(OperationCreate(operation_type="Custom"), ["a"])
    done = BatchStore(database).create_operation(OperationCreate(operation_type="Custom"), ["b"])
    database[OPERATIONS].update_many({}, {"$unset": {EVENTS_PENDING: ""}})  # as an older release wrote them
    database[OPERATIONS].update_one({ID: str(done.id)}, {"$set": {PENDING_EVENTS: []}})
    ensure_indexes(database)
    assert _flag(database, op.id) is True and _flag(database, done.id) is None
    assert [b.operation.id for b in EventOutbox(database[OPERATIONS]).take(100)] == [op.id]


def test_the_query_does_not_read_operations_without_pending_events(database: Database[Any]) -> None:
    outbox = EventOutbox(database[OPERATIONS])
    store = BatchStore(database)
    for i in range(30):
        store.create_operation(OperationCreate(operation_type="Custom"), [f"d{i}"])
    assert _publish_all(outbox) == 30
    pending = store.create_operation(OperationCreate(operation_type="Custom"), ["x"])
    plan = database.command(
        "explain", {"find": OPERATIONS, "filter": pending_filter()}, verbosity="executionStats"
    )
    assert plan["executionStats"]["totalDocsExamined"] <= 1
    assert [b.operation.id for b in outbox.take(100)] == [pending.id]
