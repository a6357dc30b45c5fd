"""The real service in ZooKeeper mode (real engines, Kafka, MongoDB, gRPC), one fresh instance per test.

``instance_id`` is unique per test, so ZooKeeper paths, Kafka topics and consumer groups are new;
tenant databases are dropped and the instance's ZooKeeper tree deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from kazoo.client import KazooClient

from batchops.config import load_settings
from batchops.devstack import Endpoints
from batchops.engine.handlers import HandlerRegistry
from batchops.service import BatchOpsService
from batchops.store import MongoConnector
from batchops.tenants import ZkLayout
from batchops.tenants.admin import add_tenant, document_from_options
from batchops.wire import batch_management_pb2_grpc, multitenant_management_pb2_grpc
from support.multitenancy import (
    JWT_SECRET,
    Admin,
    RecordingService,
    ServiceFactory,
    Stubs,
    TenantIds,
    TenantRecorder,
)

TENANT_PREFIX = "mt-"


@pytest.fixture
def instance_id(unique_name: str) -> str:
    return f"mt{unique_name}"


@pytest.fixture
def layout(instance_id: str) -> ZkLayout:
    return ZkLayout(instance_id)


@pytest.fixture
def recorder() -> TenantRecorder:
    return TenantRecorder()


@pytest.fixture
def tenant_ids(unique_name: str) -> TenantIds:
    """Tenant ids unique to this test (their databases are dropped afterwards)."""
    return TenantIds(unique_name)


@pytest.fixture
def make_service(
    servers: Endpoints,
    instance_id: str,
    recorder: TenantRecorder,
    tenant_ids: TenantIds,
    layout: ZkLayout,
) -> Iterator[ServiceFactory]:
    started: list[RecordingService] = []
    zk_used: set[str] = set()

    def make(*, zk_hosts: str | None = None, auth: bool = False, **overrides: Any) -> RecordingService:
        hosts = zk_hosts or servers.zk_hosts
        settings = load_settings(
            mongodb_uri=servers.mongo_uri,
            kafka_bootstrap_servers=servers.kafka_bootstrap,
            zookeeper_hosts=hosts,
            mongodb_tenant_prefix=TENANT_PREFIX,
            instance_id=instance_id,
            instance_name=f"{instance_id}-{len(started)}",
            grpc_host="127.0.0.1",
            grpc_port=0,
            grpc_grace_seconds=0,
            log_format="text",
            auth_enabled=auth,
            auth_jwt_secret=JWT_SECRET if auth else None,
            auth_jwt_leeway_seconds=0,
            **overrides,
        )
        service = RecordingService(settings, registry=HandlerRegistry([recorder]))
        service.start()
        started.append(service)
        zk_used.add(hosts)
        return service

    yield make
    for service in started:
        service.stop()
    connector = MongoConnector(servers.mongo_uri, TENANT_PREFIX)
    for tenant_id in tenant_ids.used:
        connector.drop_tenant_database(tenant_id)
    connector.close()
    for hosts in zk_used:
        _delete_tree(hosts, layout.root)


def _delete_tree(hosts: str, path: str) -> None:
    client = KazooClient(hosts=hosts)
    try:
        client.start(timeout=15)
        client.delete(path, recursive=True)
    except Exception:
        pass  # best effort: a restarted test ZooKeeper may already be gone
    finally:
        client.stop()
        client.close()


@pytest.fixture
def zk_admin(servers: Endpoints) -> Iterator[KazooClient]:
    """An administrator's ZooKeeper client (the shared test ZooKeeper)."""
    client = KazooClient(hosts=servers.zk_hosts)
    client.start(timeout=15)
    yield client
    client.stop()
    client.close()


@pytest.fixture
def add(zk_admin: KazooClient, layout: ZkLayout) -> Admin:
    def add_(tenant_id: str, **settings: Any) -> None:
        add_tenant(zk_admin, layout, tenant_id, document_from_options(settings))

    return add_


def channel_to(service: BatchOpsService) -> grpc.Channel:
    return grpc.insecure_channel(f"127.0.0.1:{service.port}")


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    """(BatchManagement stub, MultitenantManagement stub) for a service; channels closed afterwards."""
    channels: list[grpc.Channel] = []

    def make(service: BatchOpsService) -> tuple[Any, Any]:
        channel = channel_to(service)
        channels.append(channel)
        return (
            batch_management_pb2_grpc.BatchManagementStub(channel),  # type: ignore[no-untyped-call]
            multitenant_management_pb2_grpc.MultitenantManagementStub(channel),  # type: ignore[no-untyped-call]
        )

    yield make
    for channel in channels:
        channel.close()
