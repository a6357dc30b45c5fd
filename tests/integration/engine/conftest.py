"""Real tenant engines (Kafka-protocol broker + MongoDB-protocol server) behind a real gRPC API."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from pymongo import MongoClient
from pymongo.database import Database

from batchops.api import StaticRouter
from batchops.config import Settings
from batchops.devstack import Endpoints
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import KafkaConfig
from batchops.service import BatchOpsService
from batchops.store import MongoConnector
from batchops.tenants.configuration import TenantConfiguration
from batchops.wire import batch_management_pb2_grpc
from support.recording_handler import NoopHandler, RecordingHandler

PREFIX = "engtest-"
MAX_MESSAGE = 64 * 1024 * 1024


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
    return HandlerRegistry([RecordingHandler(servers.mongo_uri, effects_db_name), NoopHandler()])


@pytest.fixture
def engine_env(
    servers: Endpoints, connector: MongoConnector, registry: HandlerRegistry, unique_name: str
) -> EngineEnvironment:
    return EngineEnvironment(
        kafka=KafkaConfig(servers.kafka_bootstrap),
        connector=connector,
        registry=registry,
        product_id="sitewhere",
        instance_id=f"it{unique_name}",
        instance_name=f"test-{unique_name}",
        target_chunk_size=250,
        recovery_interval_seconds=1.0,
        recovery_stale_seconds=3.0,
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
    with grpc.insecure_channel(
        f"127.0.0.1:{api.port}",
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
        ],
    ) as channel:
        yield batch_management_pb2_grpc.BatchManagementStub(channel)
