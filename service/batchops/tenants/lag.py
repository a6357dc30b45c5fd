"""Consumer lag of tenants' topics, read straight from Kafka (for ``batchops tenants list --lag``)."""

from __future__ import annotations

from collections.abc import Iterable

from confluent_kafka.admin import AdminClient

from batchops.messaging.lag import LagUnavailable, group_members, measure_lag, tenant_lag_targets
from batchops.messaging.topics import TenantTopics


def tenant_lags(
    bootstrap: str, product_id: str, instance_id: str, tenant_ids: Iterable[str], timeout: float = 5.0
) -> dict[str, dict[str, int] | None]:
    """Per tenant, lag per topic label; None for a tenant whose topics Kafka could not answer for."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    result: dict[str, dict[str, int] | None] = {}
    for tenant_id in tenant_ids:
        targets = tenant_lag_targets(TenantTopics(product_id, instance_id, tenant_id))
        try:
            result[tenant_id] = {
                label: measure_lag(admin, target, timeout) for label, target in targets.items()
            }
        except LagUnavailable:
            result[tenant_id] = None
    return result


def tenant_consumers(
    bootstrap: str, product_id: str, instance_id: str, tenant_ids: Iterable[str], timeout: float = 5.0
) -> dict[str, dict[str, int] | None]:
    """Per tenant, the members of each consumer group (operations, elements): 0 means no instance
    is consuming that topic (engine stopped, or its consumer crashed and is restarting)."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    result: dict[str, dict[str, int] | None] = {}
    for tenant_id in tenant_ids:
        targets = tenant_lag_targets(TenantTopics(product_id, instance_id, tenant_id))
        try:
            result[tenant_id] = {
                label: group_members(admin, t.group, timeout) for label, t in targets.items()
            }
        except LagUnavailable:
            result[tenant_id] = None
    return result
