"""The gRPC management API: servicers, error mapping, tenant routing, the server itself."""

from batchops.api.batch_management import BatchManagementServicer, PagingLimits
from batchops.api.server import GrpcServer
from batchops.api.tenancy import OpenTenantRouter, StaticRouter, TenantApi, TenantRouter, TenantUnavailable

__all__ = [
    "BatchManagementServicer",
    "GrpcServer",
    "OpenTenantRouter",
    "PagingLimits",
    "StaticRouter",
    "TenantApi",
    "TenantRouter",
    "TenantUnavailable",
]
