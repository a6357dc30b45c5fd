"""A tenant database seen through a client that records the commands sent to it, and an
operation initialized straight through the stores (no engine), for tests of the store's queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.database import Database

from batchops.devstack import Endpoints
from batchops.domain import BatchOperation, OperationCreate
from batchops.store import BatchStore, MongoConnector
from batchops.store.database import ELEMENTS
from batchops.store.work_store import WorkStore


class ElementCommands(monitoring.CommandListener):
    """Keeps every command sent to the elements collection, by name (``find``, ``update``...)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def named(self, name: str) -> list[dict[str, Any]]:
        return [command for command in self.sent if name in command]

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command.get(event.command_name) == ELEMENTS:
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        return None

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        return None


@contextmanager
def recorded_tenant_database(
    servers: Endpoints, tenant: str, prefix: str, commands: ElementCommands
) -> Iterator[Database[Any]]:
    """The tenant's database (indexes ensured), through a client reporting to ``commands``;
    dropped at the end."""
    connector = MongoConnector(servers.mongo_uri, prefix)
    client: MongoClient[dict[str, Any]] = MongoClient(
        servers.mongo_uri, event_listeners=[commands], tz_aware=True, uuidRepresentation="standard"
    )
    try:
        yield client[connector.tenant_database(tenant).name]
    finally:
        client.close()
        connector.drop_tenant_database(tenant)
        connector.close()


def initialized_operation(database: Database[Any], work: WorkStore, tokens: Sequence[str]) -> BatchOperation:
    """A Custom operation over ``tokens`` with every element stored Unprocessed."""
    operation = BatchStore(database, target_chunk_size=1000).create_operation(
        OperationCreate(operation_type="Custom"), tokens
    )
    work.initialization.begin_initialization(operation.id)
    for index, chunk in work.initialization.target_chunks(operation.id):
        present = work.initialization.insert_chunk_elements(operation.id, index, 1_000_000, chunk)
        work.initialization.mark_chunk_initialized(operation.id, index, present)
    return operation
