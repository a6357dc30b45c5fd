"""Real tenant engines (Kafka-protocol broker + MongoDB-protocol server) behind a real gRPC API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from batchops.api import StaticRouter
from batchops.config import Settings
from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import KafkaConfig
from batchops.service import BatchOpsService
from batchops.store import MongoConnector
from batchops.store.work_store import WorkStore
from batchops.wire import batch_management_pb2_grpc
from support.api import large_message_channel
from support.engines import PREFIX, engine_environment, recording_registry


@pytest.fixture
def effects_db_name(unique_name: str) -> str:
    return f"effects-{unique_name}"


@pytest.fixture
def effects(servers: Endpoints, effects_db_name: str) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
    yield client[effects_db_name]
    client.drop_database(effects_db_name)
    client.close()


@pytest.fixture
def connector(servers: Endpoints) -> Iterator[MongoConnector]:
    conn = MongoConnector(servers.mongo_uri, PREFIX)
    yield conn
    conn.close()


@pytest.fixture
def registry(servers: Endpoints, effects_db_name: str) -> HandlerRegistry:
    return recording_registry(servers.mongo_uri, effects_db_name)


@pytest.fixture
def engine_env(
    servers: Endpoints, connector: MongoConnector, registry: HandlerRegistry, unique_name: str
) -> EngineEnvironment:
    return engine_environment(
        KafkaConfig(servers.kafka_bootstrap), connector, registry, f"it{unique_name}", f"test-{unique_name}"
    )


EngineFactory = Callable[..., TenantEngine]


@pytest.fixture
def start_engine(engine_env: EngineEnvironment, unique_name: str) -> Iterator[EngineFactory]:
    started: list[TenantEngine] = []

    def start(tenant: str | None = None, **config: Any) -> TenantEngine:
        engine = TenantEngine(tenant or unique_name, TenantConfiguration(**config), engine_env)
        engine.start()
        started.append(engine)
        assert engine.wait_ready(60), "consumers did not join their groups"
        return engine

    yield start
    for engine in started:
        engine.stop()


@pytest.fixture
def engines() -> Iterator[list[TenantEngine]]:
    """Engines a test starts itself (with its own environment); stopped afterwards."""
    started: list[TenantEngine] = []
    yield started
    for engine in started:
        engine.stop()


@pytest.fixture
def work(connector: MongoConnector, unique_name: str) -> Iterator[WorkStore]:
    """The work store of this test's tenant database (dropped afterwards)."""
    yield WorkStore(connector.tenant_database(unique_name))
    connector.drop_tenant_database(unique_name)


@pytest.fixture
def tenant_db(connector: MongoConnector, unique_name: str) -> Iterator[Database[dict[str, Any]]]:
    yield connector.tenant_database(unique_name)
    connector.drop_tenant_database(unique_name)


@pytest.fixture
def router() -> StaticRouter:
    return StaticRouter()


@pytest.fixture
def api(servers: Endpoints, router: StaticRouter) -> Iterator[BatchOpsService]:
    settings = Settings(
        mongodb_uri=servers.mongo_uri,
        kafka_bootstrap_servers=servers.kafka_bootstrap,
        mongodb_tenant_prefix=PREFIX,
        grpc_host="127.0.0.1",
        grpc_port=0,
        log_format="text",
        auth_enabled=False,
    )
    service = BatchOpsService(settings, router_factory=lambda _connector: router)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def stub(api: BatchOpsService) -> Iterator[Any]:
    with large_message_channel(api.port) as channel:
        yield batch_management_pb2_grpc.BatchManagementStub(channel)
