"""MongoDB persistence: per-tenant databases, indexes, compare-and-set transitions, counters."""

from batchops.store.batch_store import BatchStore, utcnow
from batchops.store.database import MongoConnector, ensure_indexes

__all__ = ["BatchStore", "MongoConnector", "ensure_indexes", "utcnow"]
