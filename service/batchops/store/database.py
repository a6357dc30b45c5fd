"""One MongoDB client per process; one database per tenant; the indexes every query needs."""

from __future__ import annotations

import threading

from pymongo import ASCENDING, DESCENDING, IndexModel, MongoClient
from pymongo.database import Database

from batchops.domain.validation import check_tenant_id
from batchops.store.events import unflagged_pending_filter
from batchops.store.fields import CREATED_DATE, EVENTS_PENDING, ID, IDX, OP, SEQ, STATUS, SWEEP_PENDING, TOKEN
from batchops.store.id_batches import IN_FILTER_IDS

OPERATIONS = "batchoperations"
ELEMENTS = "batchelements"
TARGETS = "batchtargets"
TOMBSTONES = "deletedoperations"

Document = dict[str, object]
OP_STATUS_SEQ = "op_status_seq"

INDEXES: dict[str, list[IndexModel]] = {
    OPERATIONS: [
        IndexModel([(TOKEN, ASCENDING)], unique=True, name="token_unique"),
        IndexModel([(CREATED_DATE, DESCENDING), (ID, DESCENDING)], name="newest_first"),
        IndexModel([(STATUS, ASCENDING)], name="status"),
        # Only operations with events to publish carry the field (``store.events``).
        IndexModel([(EVENTS_PENDING, ASCENDING)], name="events_pending", sparse=True),
    ],
    ELEMENTS: [
        IndexModel([(OP, ASCENDING), (TOKEN, ASCENDING)], unique=True, name="op_token_unique"),
        IndexModel([(OP, ASCENDING), (STATUS, ASCENDING), (SEQ, ASCENDING)], name=OP_STATUS_SEQ),
        IndexModel([(OP, ASCENDING), (SEQ, ASCENDING)], name="op_seq"),
    ],
    TARGETS: [IndexModel([(OP, ASCENDING), (IDX, ASCENDING)], unique=True, name="op_chunk")],
    # Only tombstones whose late writers may still leave something behind carry the field.
    TOMBSTONES: [IndexModel([(SWEEP_PENDING, ASCENDING)], name="sweep_pending", sparse=True)],
}


class MongoConnector:
    """Owns the process-wide MongoClient and hands out tenant databases with indexes ensured."""

    def __init__(
        self, uri: str, tenant_prefix: str, *, timeout_ms: int = 10_000, in_filter_ids: int = IN_FILTER_IDS
    ) -> None:
        self._client: MongoClient[Document] = MongoClient(
            uri,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            uuidRepresentation="standard",
        )
        self._prefix = tenant_prefix
        # Ids per ``_id $in`` filter this server takes well (``store.id_batches``).
        self.in_filter_ids = in_filter_ids
        self._indexed: set[str] = set()
        self._lock = threading.Lock()

    @property
    def client(self) -> MongoClient[Document]:
        return self._client

    def database_name(self, tenant_id: str) -> str:
        return f"{self._prefix}{check_tenant_id(tenant_id)}"

    def tenant_database(self, tenant_id: str) -> Database[Document]:
        name = self.database_name(tenant_id)
        database = self._client[name]
        if name not in self._indexed:
            with self._lock:
                if name not in self._indexed:
                    ensure_indexes(database)
                    self._indexed.add(name)
        return database

    def drop_tenant_database(self, tenant_id: str) -> None:
        name = self.database_name(tenant_id)
        self._client.drop_database(name)
        self._indexed.discard(name)

    def close(self) -> None:
        self._client.close()


def ensure_indexes(database: Database[Document]) -> None:
    for collection, indexes in INDEXES.items():
        if indexes:
            database[collection].create_indexes(indexes)
    # Operations stored before the pending flag existed (one scan per database and process).
    database[OPERATIONS].update_many(unflagged_pending_filter(), {"$set": {EVENTS_PENDING: True}})
