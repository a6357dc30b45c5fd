"""How a call finds its tenant: the ``tenant`` metadata header, then the tenant's services."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from batchops.domain import BatchOperation, OperationCreate
from batchops.engine.control import OperationControls
from batchops.errors import BatchopsError, ErrorKind
from batchops.protocol.headers import TENANT_HEADER as TENANT_HEADER
from batchops.store import BatchStore, MongoConnector
from batchops.store.work_store import WorkStore

MISSING_TENANT_MESSAGE = "Tenant token not passed in metadata."


class TenantUnavailable(BatchopsError):
    """The tenant is unknown here or its engine is not running (gRPC UNAVAILABLE, as SiteWhere)."""

    kind = ErrorKind.UNAVAILABLE


class TenantApi(Protocol):
    """What the management API needs from one tenant."""

    @property
    def store(self) -> BatchStore: ...

    @property
    def controls(self) -> OperationControls: ...

    def create_operation(self, create: OperationCreate, device_tokens: Iterable[str]) -> BatchOperation: ...

    def check_operation_type(self, operation_type: str) -> None: ...


class TenantRouter(Protocol):
    def tenant(self, tenant_id: str) -> TenantApi: ...


class StoreOnlyTenant:
    """A tenant served straight from its database: creation persists, nothing is launched."""

    def __init__(self, store: BatchStore, work: WorkStore) -> None:
        self._store = store
        # Control calls change the store only: the engines running the tenant elsewhere see them
        # on their next status read, and their recovery re-sends what a resume needs.
        self._controls = OperationControls(work, work.control)

    @property
    def store(self) -> BatchStore:
        return self._store

    @property
    def controls(self) -> OperationControls:
        return self._controls

    def create_operation(self, create: OperationCreate, device_tokens: Iterable[str]) -> BatchOperation:
        return self._store.create_operation(create, device_tokens)

    def check_operation_type(self, operation_type: str) -> None:
        return None


class OpenTenantRouter:
    """Serves any well-formed tenant id from its own database (no engines, no ZooKeeper)."""

    def __init__(self, connector: MongoConnector, *, target_chunk_size: int) -> None:
        self._connector = connector
        self._chunk_size = target_chunk_size
        self._tenants: dict[str, StoreOnlyTenant] = {}
        self._lock = threading.Lock()

    def tenant(self, tenant_id: str) -> TenantApi:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
            if tenant is None:
                database = self._connector.tenant_database(tenant_id)
                work = WorkStore(database, in_filter_ids=self._connector.in_filter_ids)
                tenant = StoreOnlyTenant(BatchStore(database, target_chunk_size=self._chunk_size), work)
                self._tenants[tenant_id] = tenant
            return tenant


class StaticRouter:
    """Routes to tenants registered explicitly (engines started by the caller)."""

    def __init__(self) -> None:
        self._tenants: dict[str, TenantApi] = {}
        self._lock = threading.Lock()

    def add(self, tenant_id: str, tenant: TenantApi) -> None:
        with self._lock:
            self._tenants[tenant_id] = tenant

    def remove(self, tenant_id: str) -> None:
        with self._lock:
            self._tenants.pop(tenant_id, None)

    def tenant(self, tenant_id: str) -> TenantApi:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise TenantUnavailable(f"Tenant engine for '{tenant_id}' is not available.")
        return tenant


class EngineSource(Protocol):
    def engine(self, tenant_id: str) -> object | None: ...


class ManagedRouter:
    """Routes to the engines the ZooKeeper tenant manager runs; anything else is UNAVAILABLE."""

    def __init__(self, source: EngineSource) -> None:
        self._source = source

    def tenant(self, tenant_id: str) -> TenantApi:
        engine = self._source.engine(tenant_id)
        if engine is None:
            raise TenantUnavailable(f"Tenant engine for '{tenant_id}' is not available.")
        return engine  # type: ignore[return-value]
