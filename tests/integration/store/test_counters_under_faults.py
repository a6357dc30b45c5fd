"""Counters never run ahead of the elements, even when the connection to MongoDB drops between
an element write and the counter write that goes with it (a crash or a MongoDB restart there)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database
from pymongo.errors import PyMongoError

from batchops.devstack import Endpoints
from batchops.domain import ElementProcessingStatus, OperationCreate
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import ELEMENTS, OPERATIONS
from batchops.store.work.outcomes import ElementResult
from batchops.store.work_store import WorkStore
from support.faults import TcpCut

STRIDE = 1_000_000
DEVICES = 120  # more than one 50-id piece, so the outage lands between two pieces


class CutAfterElementWrite(monitoring.CommandListener):
    """Cuts the connection right after MongoDB acknowledged a write to the elements collection,
    so the next write (the counter update that goes with it) never reaches the server."""

    def __init__(self, cut: TcpCut) -> None:
        self._cut = cut
        self._updates: set[int] = set()
        self.armed = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command.get("update") == ELEMENTS:
            self._updates.add(event.request_id)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if self.armed and event.request_id in self._updates:
            self.armed = False
            self._cut.cut()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None

    def arm(self) -> None:
        self._cut.restore()
        self.armed = True


@pytest.fixture
def database(servers: Endpoints, unique_name: str) -> Iterator[Database[dict[str, Any]]]:
    connector = MongoConnector(servers.mongo_uri, "faulttest-")
    yield connector.tenant_database(unique_name)
    connector.drop_tenant_database(unique_name)
    connector.close()


@pytest.fixture
def faulty(
    servers: Endpoints, database: Database[dict[str, Any]]
) -> Iterator[tuple[WorkStore, CutAfterElementWrite]]:
    """A WorkStore whose connection to the same server goes through a cuttable TCP forwarder."""
    host, port = servers.mongo_uri.removeprefix("mongodb://").split("/")[0].split(":")
    cut = TcpCut(host, int(port))
    listener = CutAfterElementWrite(cut)
    client: MongoClient[dict[str, Any]] = MongoClient(
        f"mongodb://{cut.address}/?directConnection=true",
        tz_aware=True,
        uuidRepresentation="standard",
        serverSelectionTimeoutMS=1000,
        connectTimeoutMS=1000,
        event_listeners=[listener],
    )
    yield WorkStore(client[database.name]), listener
    client.close()
    cut.close()


def check_not_ahead(database: Database[dict[str, Any]], operation_id: uuid.UUID) -> dict[str, int]:
    """Every stored counter (raw, before any clamping) is at most the number of elements in its
    status; returns the true counts."""
    actual = {status.value: 0 for status in ElementProcessingStatus}
    for row in database[ELEMENTS].aggregate(
        [{"$match": {"op": str(operation_id)}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    ):
        actual[row["_id"]] = row["n"]
    stored = database[OPERATIONS].find_one({"_id": str(operation_id)})
    assert stored is not None
    ahead = {
        status: (stored["counts"][status], n) for status, n in actual.items() if stored["counts"][status] > n
    }
    assert not ahead, f"counters ahead of the elements (stored, actual): {ahead}"
    assert stored["total"] <= sum(actual.values())
    return actual


def test_a_lost_counter_write_leaves_counters_behind_never_ahead(
    database: Database[dict[str, Any]], faulty: tuple[WorkStore, CutAfterElementWrite]
) -> None:
    batch, work = BatchStore(database), WorkStore(database)
    broken, listener = faulty
    op = batch.create_operation(
        OperationCreate(operation_type="Custom"), [f"d{i:03d}" for i in range(DEVICES)]
    )
    work.initialization.begin_initialization(op.id)
    for index, chunk in work.initialization.target_chunks(op.id):
        work.initialization.mark_chunk_initialized(
            op.id, index, work.initialization.insert_chunk_elements(op.id, index, STRIDE, chunk)
        )
    assert work.initialization.complete_initialization(op.id) is not None
    wanted = {e.id: op.id for e in work.recovery.unprocessed_elements(op.id)}

    # 1. A claim loses its connection after its first piece of elements went Processing.
    listener.arm()
    with pytest.raises(PyMongoError):
        broken.claims.claim(wanted, timedelta(seconds=-1))  # an already expired lease: requeued at once below
    assert check_not_ahead(database, op.id)[ElementProcessingStatus.PROCESSING.value] > 0

    # 2. Recovery puts the abandoned elements back: the earlier loss must not turn into an excess.
    requeued = work.recovery.requeue_expired([c.element for c in work.recovery.expired_leases()])
    assert requeued
    assert check_not_ahead(database, op.id)[ElementProcessingStatus.PROCESSING.value] == 0

    # 3. Recording outcomes loses its connection after the first piece went Succeeded.
    claimed = work.claims.claim(wanted, timedelta(seconds=60))
    assert len(claimed) == DEVICES
    results = [ElementResult(c.element.id, op.id, succeeded=True) for c in claimed]
    listener.arm()
    with pytest.raises(PyMongoError):
        broken.outcomes.record_results(results, {c.element.id: c.claim for c in claimed})
    actual = check_not_ahead(database, op.id)
    assert 0 < actual[ElementProcessingStatus.SUCCEEDED.value] < DEVICES

    # The rest succeeds; counters that lag keep the operation from finishing on them alone, and
    # finishing from the elements writes the exact counts.
    assert (
        work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed})
        == DEVICES - actual["Succeeded"]
    )
    check_not_ahead(database, op.id)
    finished = work.finishing.finish_if_complete(op.id) or work.finishing.finish_from_elements(op.id)
    assert finished is not None
    assert (finished.counts.succeeded, finished.counts.unprocessed, finished.counts.processing) == (
        DEVICES,
        0,
        0,
    )
