"""The gRPC management API: servicers, error mapping, tenant routing, the server itself."""

from batchops.api.batch_management import BatchManagementServicer, PagingLimits
from batchops.api.multitenant import MultitenantManagementServicer
from batchops.api.server import GrpcServer
from batchops.api.tenancy import (
    ManagedRouter,
    OpenTenantRouter,
    StaticRouter,
    TenantApi,
    TenantRouter,
    TenantUnavailable,
)

__all__ = [
    "BatchManagementServicer",
    "GrpcServer",
    "ManagedRouter",
    "MultitenantManagementServicer",
    "OpenTenantRouter",
    "PagingLimits",
    "StaticRouter",
    "TenantApi",
    "TenantRouter",
    "TenantUnavailable",
]
