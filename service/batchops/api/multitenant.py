"""SiteWhere's MultitenantManagement service: lets callers ask whether a tenant's engine is up."""

from __future__ import annotations

import grpc

from batchops.api.errors import metadata_value
from batchops.api.tenancy import MISSING_TENANT_MESSAGE, TENANT_HEADER, TenantRouter, TenantUnavailable
from batchops.wire import multitenant_management_pb2 as mtm


class MultitenantManagementServicer:
    def __init__(self, router: TenantRouter) -> None:
        self.router = router

    def CheckTenantEngineAvailable(
        self, request: mtm.GCheckTenantEngineAvailableRequest, context: grpc.ServicerContext
    ) -> mtm.GCheckTenantEngineAvailableResponse:
        tenant_id = metadata_value(context, TENANT_HEADER)
        if not tenant_id:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, MISSING_TENANT_MESSAGE)
        try:
            tenant = self.router.tenant(tenant_id)
        except (TenantUnavailable, Exception):
            return mtm.GCheckTenantEngineAvailableResponse(available=False)
        # An engine whose consumers crashed (and are restarting) takes calls but does no work.
        return mtm.GCheckTenantEngineAvailableResponse(available=bool(getattr(tenant, "healthy", True)))
