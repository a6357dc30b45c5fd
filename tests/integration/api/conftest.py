"""A real batchops gRPC server (port picked by the OS) over the test MongoDB-protocol server."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from pymongo import MongoClient
from pymongo.database import Database

from batchops.config import Settings
from batchops.devstack import Endpoints
from batchops.service import BatchOpsService
from batchops.wire import batch_management_pb2_grpc
from support.api import large_message_channel
from support.services import start_store_only_service

TEST_TENANT_PREFIX = "test-"


@pytest.fixture(scope="session")
def api_settings(servers: Endpoints) -> Settings:
    return Settings(
        mongodb_uri=servers.mongo_uri,
        kafka_bootstrap_servers=servers.kafka_bootstrap,
        zookeeper_hosts=servers.zk_hosts,
        mongodb_tenant_prefix=TEST_TENANT_PREFIX,
        grpc_host="127.0.0.1",
        grpc_port=0,
        max_page_size=500,
        log_format="text",
        auth_enabled=False,
    )


@pytest.fixture(scope="session")
def api_service(api_settings: Settings) -> Iterator[BatchOpsService]:
    # Store-only tenants: these tests are about the API and persistence, not the pipeline.
    service = start_store_only_service(api_settings)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def channel(api_service: BatchOpsService) -> Iterator[grpc.Channel]:
    with large_message_channel(api_service.port) as chan:
        yield chan


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel) -> batch_management_pb2_grpc.BatchManagementStub:
    return batch_management_pb2_grpc.BatchManagementStub(channel)


@pytest.fixture
def md(tenant: str) -> tuple[tuple[str, str], ...]:
    """Call metadata naming this test's tenant."""
    return (("tenant", tenant),)


@pytest.fixture
def tenant_db(servers: Endpoints, tenant: str) -> Iterator[Database[dict[str, object]]]:
    client: MongoClient[dict[str, object]] = MongoClient(servers.mongo_uri, tz_aware=True)
    yield client[TEST_TENANT_PREFIX + tenant]
    client.drop_database(TEST_TENANT_PREFIX + tenant)
    client.close()
