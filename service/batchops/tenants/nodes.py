"""Read one tenant's configuration nodes from ZooKeeper and pick the configuration that applies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

from batchops.config.tenant import TenantConfiguration, parse_json, parse_sitewhere_xml
from batchops.tenants.layout import JSON_CONFIG_NODE, SITEWHERE_CONFIG_NODE, ZkLayout

DEFAULTS_SOURCE = "defaults"
Watch = Callable[[Any], object]


@dataclass(frozen=True)
class ConfigSource:
    """Where a tenant's configuration comes from: a node name (or "defaults") and its raw bytes."""

    node: str
    data: bytes

    def parse(self) -> TenantConfiguration:
        """Raises ``TenantConfigurationError``."""
        if self.node == JSON_CONFIG_NODE:
            return parse_json(self.data)
        if self.node == SITEWHERE_CONFIG_NODE:
            return parse_sitewhere_xml(self.data)
        return TenantConfiguration()


@dataclass(frozen=True)
class TenantNodes:
    tenant_id: str
    exists: bool
    configured: bool
    json_data: bytes | None = None
    xml_data: bytes | None = None

    def source(self) -> ConfigSource:
        # Our JSON wins over SiteWhere's XML, so an operator can override what instance management wrote.
        if self.json_data is not None:
            return ConfigSource(JSON_CONFIG_NODE, self.json_data)
        if self.xml_data is not None:
            return ConfigSource(SITEWHERE_CONFIG_NODE, self.xml_data)
        # configured but no batch-operations node: the tenant's template did not include this service.
        return ConfigSource(DEFAULTS_SOURCE, b"")


def read_tenant_nodes(
    client: KazooClient, layout: ZkLayout, tenant_id: str, watch: Watch | None = None
) -> TenantNodes:
    """The tenant's nodes; with ``watch``, a one-shot watch is left on the marker and both config nodes.

    No watches are set when the tenant folder is absent: the tenant list watch covers its return.
    Kazoo connection errors propagate.
    """
    if client.exists(layout.tenant_conf(tenant_id)) is None:
        return TenantNodes(tenant_id, exists=False, configured=False)
    configured = client.exists(layout.configured_marker(tenant_id), watch=watch) is not None
    return TenantNodes(
        tenant_id,
        exists=True,
        configured=configured,
        json_data=_get(client, layout.json_config(tenant_id), watch),
        xml_data=_get(client, layout.sitewhere_config(tenant_id), watch),
    )


def _get(client: KazooClient, path: str, watch: Watch | None) -> bytes | None:
    """Node data or None; a missing node gets an exists-watch so its creation is noticed."""
    while True:
        try:
            data, _stat = client.get(path, watch=watch)
            return bytes(data)
        except NoNodeError:
            if client.exists(path, watch=watch) is None:
                return None
            # Created between the two calls: read it again.
