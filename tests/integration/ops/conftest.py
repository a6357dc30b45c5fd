"""A real batchops service (port picked by the OS) for the operator CLI tests."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from pymongo import MongoClient

from batchops.config import Settings
from batchops.devstack import Endpoints
from batchops.service import BatchOpsService
from batchops.wire import batch_management_pb2_grpc
from support.services import start_store_only_service

TENANT_PREFIX = "test-ops-"


@pytest.fixture(scope="session")
def ops_service(servers: Endpoints) -> Iterator[BatchOpsService]:
    settings = Settings(
        mongodb_uri=servers.mongo_uri,
        kafka_bootstrap_servers=servers.kafka_bootstrap,
        zookeeper_hosts=servers.zk_hosts,
        mongodb_tenant_prefix=TENANT_PREFIX,
        grpc_host="127.0.0.1",
        grpc_port=0,
        log_format="text",
        auth_enabled=False,
    )
    service = start_store_only_service(settings, target_chunk_size=10_000)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def ops_address(ops_service: BatchOpsService) -> str:
    return f"127.0.0.1:{ops_service.port}"


@pytest.fixture(scope="session")
def ops_stub(ops_address: str) -> Iterator[batch_management_pb2_grpc.BatchManagementStub]:
    with grpc.insecure_channel(ops_address) as channel:
        yield batch_management_pb2_grpc.BatchManagementStub(channel)


@pytest.fixture
def ops_tenant(servers: Endpoints, unique_name: str) -> Iterator[str]:
    yield unique_name
    client: MongoClient[dict[str, object]] = MongoClient(servers.mongo_uri)
    client.drop_database(TENANT_PREFIX + unique_name)
    client.close()
