"""The real service started in-process for the API tests."""

from __future__ import annotations

from batchops.api import OpenTenantRouter
from batchops.config import Settings
from batchops.service import BatchOpsService


def start_store_only_service(settings: Settings, target_chunk_size: int | None = None) -> BatchOpsService:
    """The service, started, with store-only tenants (no engines): for tests of the API and of
    persistence, not of the pipeline. Target chunks of ``settings.limits.target_chunk_size`` unless given."""
    chunk_size = settings.limits.target_chunk_size if target_chunk_size is None else target_chunk_size
    service = BatchOpsService(
        settings, router_factory=lambda connector: OpenTenantRouter(connector, target_chunk_size=chunk_size)
    )
    service.start()
    return service
