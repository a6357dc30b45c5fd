"""Multitenancy: per-tenant configuration in ZooKeeper (SiteWhere 2.x layout) and the tenant engines."""

from batchops.config.tenant import (
    TenantConfiguration,
    TenantConfigurationError,
    parse_json,
    parse_sitewhere_xml,
    render_json,
)
from batchops.retry import Backoff
from batchops.tenants.layout import ZkLayout
from batchops.tenants.managed_engine import EngineFactory, ManagedEngine
from batchops.tenants.manager import TenantEngineManager, TenantManagerError, ZkConnection
from batchops.tenants.presence import default_instance_name
from batchops.tenants.status import TenantState, TenantStatus

__all__ = [
    "Backoff",
    "EngineFactory",
    "ManagedEngine",
    "TenantConfiguration",
    "TenantConfigurationError",
    "TenantEngineManager",
    "TenantManagerError",
    "TenantState",
    "TenantStatus",
    "ZkConnection",
    "ZkLayout",
    "default_instance_name",
    "parse_json",
    "parse_sitewhere_xml",
    "render_json",
]
