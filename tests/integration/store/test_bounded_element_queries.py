"""The element queries of every batch and every recovery sweep read only the operation's
in-flight elements, however many it has: the server examines its (op, status) index range, not
the collection. Checked with the server's own explain of the very query sent (SecantusDB, the
development server, scans the whole collection as soon as a predicate outside the index remains)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from batchops.devstack import Endpoints
from batchops.domain import OperationCreate, element_id_for
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import ELEMENTS
from batchops.store.work_store import WorkStore

ELEMENTS_IN_OPERATION = 2000
CLAIMED = 20


class _ElementFinds(monitoring.CommandListener):
    """Keeps the ``find`` commands sent to the elements collection."""

    def __init__(self) -> None:
        self.finds: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == ELEMENTS:
            self.finds.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


@pytest.fixture
def store(servers: Endpoints, unique_name: str) -> Iterator[tuple[Database[Any], WorkStore, _ElementFinds]]:
    connector = MongoConnector(servers.mongo_uri, "boundedq-")
    listener = _ElementFinds()
    client: MongoClient[dict[str, Any]] = MongoClient(
        servers.mongo_uri, event_listeners=[listener], tz_aware=True, uuidRepresentation="standard"
    )
    try:
        database = client[connector.tenant_database(unique_name).name]
        yield database, WorkStore(database), listener
    finally:
        client.close()
        connector.drop_tenant_database(unique_name)
        connector.close()


def _initialized_operation(database: Database[Any], work: WorkStore) -> dict[Any, Any]:
    tokens = [f"device-{i:05d}" for i in range(ELEMENTS_IN_OPERATION)]
    operation = BatchStore(database, target_chunk_size=1000).create_operation(
        OperationCreate(operation_type="Custom"), tokens
    )
    work.initialization.begin_initialization(operation.id)
    for index, chunk in work.initialization.target_chunks(operation.id):
        present = work.initialization.insert_chunk_elements(operation.id, index, 1_000_000, chunk)
        work.initialization.mark_chunk_initialized(operation.id, index, present)
    return {element_id_for(operation.id, token): operation.id for token in tokens}


def _examined(database: Database[Any], find: dict[str, Any]) -> int:
    """What the server looked at to answer ``find``: the more of its index keys and documents.
    The query must carry no hint: SecantusDB's hinted plan walks the whole index, and its explain
    does not show it."""
    assert "hint" not in find, find
    explain = {key: find[key] for key in ("find", "filter", "sort", "limit") if key in find}
    stats = database.command("explain", explain, verbosity="executionStats")["executionStats"]
    return max(int(stats["totalKeysExamined"]), int(stats["totalDocsExamined"]))


def test_a_claims_read_back_examines_only_the_operations_processing_elements(
    store: tuple[Database[Any], WorkStore, _ElementFinds],
) -> None:
    database, work, listener = store
    wanted = _initialized_operation(database, work)
    some = dict(list(wanted.items())[:CLAIMED])

    listener.finds.clear()
    claimed = work.claims.claim(some, timedelta(seconds=60))

    assert {c.element.id for c in claimed} == set(some)
    assert len(listener.finds) == 1, listener.finds  # the read-back, in one query
    assert _examined(database, listener.finds[0]) <= CLAIMED


def test_the_expired_lease_sweep_examines_only_the_operations_processing_elements(
    store: tuple[Database[Any], WorkStore, _ElementFinds],
) -> None:
    database, work, listener = store
    wanted = _initialized_operation(database, work)
    items = list(wanted.items())
    expired = work.claims.claim(dict(items[:CLAIMED]), timedelta(seconds=-60))
    held = work.claims.claim(dict(items[CLAIMED : 2 * CLAIMED]), timedelta(seconds=600))

    listener.finds.clear()
    found = work.recovery.expired_leases()

    assert {c.element.id for c in found} == {c.element.id for c in expired}
    assert not {c.element.id for c in found} & {c.element.id for c in held}
    assert {c.claim for c in found} == {c.claim for c in expired}
    assert len(listener.finds) == 1, listener.finds
    assert _examined(database, listener.finds[0]) <= 2 * CLAIMED
