"""Process-wide topic defaults apply to tenants that do not configure their own topics (a
tenant's stored configuration holds only the settings it was given)."""

from __future__ import annotations

from confluent_kafka.admin import AdminClient

from batchops.devstack import Endpoints
from support.multitenancy import Admin, ServiceFactory, TenantIds


def test_process_topic_partitions_apply_to_a_tenant_added_without_topic_settings(
    make_service: ServiceFactory, add: Admin, tenant_ids: TenantIds, servers: Endpoints
) -> None:
    service = make_service(kafka_topic_partitions=3)
    tenant = tenant_ids("topics")
    add(tenant)  # no topic settings given, as the compose bootstrap job does
    engine = service.running_engine(tenant)
    topics = AdminClient({"bootstrap.servers": servers.kafka_bootstrap}).list_topics(timeout=15).topics
    assert {name: len(topics[name].partitions) for name in engine.topics.all} == dict.fromkeys(
        engine.topics.all, 3
    )
