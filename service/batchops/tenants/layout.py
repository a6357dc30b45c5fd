"""ZooKeeper paths, in SiteWhere 2.x's layout (root ``/<instanceId>``).

::

    /<instanceId>/conf/tenants/<tenantId>/                 tenant configuration folder
        configured                                         marker: the tenant is fully written
        batch-operations.xml                               SiteWhere's Spring XML configuration
        batch-operations.json                              ours; wins over the XML when both exist
    /<instanceId>/state/tenants-bootstrapped               global marker (instance management)
    /<instanceId>/state/tenants/<tenantId>/batch-operations/    per-tenant state of this service
    /<instanceId>/instances/batch-operations/<name>        ephemeral presence of each running instance
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from batchops.domain.validation import check_tenant_id

SERVICE_NAME = "batch-operations"
CONFIGURED_MARKER = "configured"
SITEWHERE_CONFIG_NODE = f"{SERVICE_NAME}.xml"
JSON_CONFIG_NODE = f"{SERVICE_NAME}.json"
BOOTSTRAPPED_MARKER = "bootstrapped"

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_INSTANCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")


def check_instance_id(instance_id: str) -> str:
    if not _NAME.fullmatch(instance_id):
        raise ValueError(f"Invalid instance id {instance_id!r}: use letters, digits, '_' or '-'.")
    return instance_id


def check_instance_name(name: str) -> str:
    if not _INSTANCE_NAME.fullmatch(name):
        raise ValueError(
            f"Invalid instance name {name[:128]!r}: 1-128 characters from letters, digits and . _ : @ -"
        )
    return name


@dataclass(frozen=True)
class ZkLayout:
    """All the ZooKeeper paths of one SiteWhere instance, as seen by the batch-operations service."""

    instance_id: str

    def __post_init__(self) -> None:
        check_instance_id(self.instance_id)

    @property
    def root(self) -> str:
        return f"/{self.instance_id}"

    @property
    def tenants_conf(self) -> str:
        return f"{self.root}/conf/tenants"

    def tenant_conf(self, tenant_id: str) -> str:
        return f"{self.tenants_conf}/{check_tenant_id(tenant_id)}"

    def configured_marker(self, tenant_id: str) -> str:
        return f"{self.tenant_conf(tenant_id)}/{CONFIGURED_MARKER}"

    def sitewhere_config(self, tenant_id: str) -> str:
        return f"{self.tenant_conf(tenant_id)}/{SITEWHERE_CONFIG_NODE}"

    def json_config(self, tenant_id: str) -> str:
        return f"{self.tenant_conf(tenant_id)}/{JSON_CONFIG_NODE}"

    @property
    def bootstrapped_marker(self) -> str:
        return f"{self.root}/state/tenants-bootstrapped"

    def tenant_state(self, tenant_id: str) -> str:
        return f"{self.root}/state/tenants/{check_tenant_id(tenant_id)}/{SERVICE_NAME}"

    def tenant_bootstrapped(self, tenant_id: str) -> str:
        return f"{self.tenant_state(tenant_id)}/{BOOTSTRAPPED_MARKER}"

    @property
    def instances(self) -> str:
        return f"{self.root}/instances/{SERVICE_NAME}"

    def instance_presence(self, instance_name: str) -> str:
        return f"{self.instances}/{check_instance_name(instance_name)}"
