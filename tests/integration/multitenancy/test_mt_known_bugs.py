"""Bugs found by the multitenancy acceptance tests in code this folder does not own.

Each test is ``xfail(strict=True)``: it documents the bug, and fails (XPASS) once the bug is fixed,
so the marker is removed together with the fix.
"""

from __future__ import annotations

import pytest
from confluent_kafka.admin import AdminClient
from mt_support import Admin, ServiceFactory, TenantIds

from batchops.devstack import Endpoints


@pytest.mark.xfail(
    strict=True,
    reason="BUG: `tenants add` / add_tenant write every field (topicPartitions: 8 included) into the "
    "tenant JSON, so BATCHOPS_KAFKA_TOPIC_PARTITIONS never applies to tenants added without topic settings",
)
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
