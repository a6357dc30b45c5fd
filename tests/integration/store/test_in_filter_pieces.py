"""``BATCHOPS_MONGODB_IN_FILTER_IDS`` on a real MongoDB-protocol server: a claim, a renewal, a
hand-back and the outcome writes take batch size / piece size ``_id $in`` commands each, and the
same elements end the same way whatever the piece size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pymongo import MongoClient, monitoring

from batchops.devstack import Endpoints
from batchops.domain import OperationCreate, element_id_for
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import ELEMENTS
from batchops.store.work.outcomes import ElementResult
from batchops.store.work_store import WorkStore

ELEMENTS_IN_BATCH = 120
LEASE = timedelta(seconds=60)


class _ElementUpdates(monitoring.CommandListener):
    """Counts the ``update`` commands sent to the elements collection."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update" and event.command.get("update") == ELEMENTS:
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


@pytest.mark.parametrize(("piece", "commands"), [(50, 3), (500, 1)])
def test_element_writes_take_one_command_per_piece(
    servers: Endpoints, unique_name: str, piece: int, commands: int
) -> None:
    connector = MongoConnector(servers.mongo_uri, "piecetest-")
    listener = _ElementUpdates()
    client: MongoClient[dict[str, object]] = MongoClient(
        servers.mongo_uri, event_listeners=[listener], tz_aware=True, uuidRepresentation="standard"
    )
    try:
        database = client[connector.tenant_database(unique_name).name]
        batch, work = BatchStore(database, target_chunk_size=1000), WorkStore(database, in_filter_ids=piece)
        tokens = [f"device-{i:04d}" for i in range(ELEMENTS_IN_BATCH)]
        operation = batch.create_operation(OperationCreate(operation_type="Custom"), tokens)
        work.initialization.begin_initialization(operation.id)
        for index, chunk in work.initialization.target_chunks(operation.id):
            present = work.initialization.insert_chunk_elements(operation.id, index, 1_000_000, chunk)
            work.initialization.mark_chunk_initialized(operation.id, index, present)
        wanted = {element_id_for(operation.id, token): operation.id for token in tokens}

        listener.count = 0
        claimed = work.claims.claim(wanted, LEASE)
        assert (len(claimed), listener.count) == (ELEMENTS_IN_BATCH, commands)

        listener.count = 0
        work.claims.renew(claimed, LEASE)
        assert listener.count == commands

        listener.count = 0
        assert work.claims.hand_back(claimed[:60]) == 60
        assert listener.count == (2 if piece == 50 else 1)

        kept = claimed[60:]
        results = [ElementResult(c.element.id, operation.id, succeeded=True) for c in kept]
        assert work.outcomes.record_results(results, {c.element.id: c.claim for c in kept}) == 60
        counts = work.operations.operation(operation.id)
        assert counts is not None and (counts.counts.unprocessed, counts.counts.succeeded) == (60, 60)
    finally:
        client.close()
        connector.drop_tenant_database(unique_name)
        connector.close()
