"""Fixtures for the tenant engine manager against a real ZooKeeper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kazoo.client import KazooClient

from batchops.devstack import Endpoints
from batchops.tenants import Backoff, TenantEngineManager, ZkConnection, ZkLayout
from support.recording_engine import RecordingFactory


@pytest.fixture
def layout(unique_name: str) -> ZkLayout:
    return ZkLayout(unique_name)


@pytest.fixture
def zk(servers: Endpoints, layout: ZkLayout) -> Iterator[KazooClient]:
    """An administrator's client; removes the test instance's tree afterwards."""
    client = KazooClient(hosts=servers.zk_hosts)
    client.start(timeout=15)
    yield client
    client.delete(layout.root, recursive=True)
    client.stop()
    client.close()


@pytest.fixture
def factory() -> RecordingFactory:
    return RecordingFactory()


@pytest.fixture
def manager(
    servers: Endpoints, layout: ZkLayout, zk: KazooClient, factory: RecordingFactory
) -> Iterator[TenantEngineManager]:
    manager = TenantEngineManager(
        ZkConnection(servers.zk_hosts),
        layout.instance_id,
        factory,
        instance_name="test-instance",
        backoff=Backoff(initial=0.1, maximum=0.4),
    )
    manager.start()
    yield manager
    manager.stop()
    assert factory.violations == []
