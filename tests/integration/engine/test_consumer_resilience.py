"""Consumer loops never die silently: a batch longer than ``max.poll.interval.ms`` keeps its
member in the group, a crashed loop restarts with backoff, and a loop that is not running is
reported (engine state, metric, CheckTenantEngineAvailable) within seconds."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from confluent_kafka import Consumer, Message, Producer
from test_recovery import publish_operation

from batchops import metrics
from batchops.api import StaticRouter
from batchops.devstack import Endpoints, wait_for
from batchops.engine.consumer_loop import ConsumerLoop, LoopState
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import KafkaConfig, ensure_topics, make_consumer
from batchops.service import BatchOpsService
from batchops.store import MongoConnector
from batchops.store.work_store import WorkStore
from batchops.tenants.configuration import TenantConfiguration
from batchops.wire import multitenant_management_pb2 as mtm
from batchops.wire import multitenant_management_pb2_grpc


@pytest.fixture
def engines() -> Iterator[list[TenantEngine]]:
    started: list[TenantEngine] = []
    yield started
    for engine in started:
        engine.stop()


@pytest.fixture
def work(connector: MongoConnector, unique_name: str) -> Iterator[WorkStore]:
    yield WorkStore(connector.tenant_database(unique_name))
    connector.drop_tenant_database(unique_name)


def running_gauge(tenant: str, consumer: str) -> float | None:
    return metrics.REGISTRY.get_sample_value(
        "batchops_consumer_running", {"tenant": tenant, "consumer": consumer}
    )


def test_a_batch_longer_than_max_poll_interval_does_not_stop_processing(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    unique_name: str,
    effects: Any,
    work: WorkStore,
) -> None:
    # librdkafka's smallest allowed poll interval is the session timeout (6 s here).
    kafka = KafkaConfig(servers.kafka_bootstrap, max_poll_interval_ms=7000)
    engine = TenantEngine(
        unique_name, TenantConfiguration(consumer_batch_size=1), dataclasses.replace(engine_env, kafka=kafka)
    )
    engine.start()
    engines.append(engine)
    assert engine.wait_ready(60)
    # One element per batch, each handler call blocking 10 s: longer than the poll interval.
    op_id = publish_operation(servers, engine.topics, ["slow-1", "slow-2"], chunk=10, delayMs="10000")

    def finished() -> Any:
        op = work.operation(op_id)
        return op if op is not None and op.status.is_final else None

    done = wait_for(finished, 180, interval=0.2, message="processing stopped after a long batch")
    assert (done.counts.succeeded, done.total_elements) == (2, 2)
    processor = next(loop for loop in engine._loops if loop.name == "processor")
    assert processor.crashes == 0 and processor.running
    assert engine.healthy


def test_a_crashed_loop_is_reported_and_restarted(servers: Endpoints, unique_name: str) -> None:
    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic = f"crash-{unique_name}"
    ensure_topics(kafka, [topic], 1, 1)
    broken = True

    def factory() -> Consumer:
        if broken:
            raise RuntimeError("injected crash")
        return make_consumer(kafka, f"g-{unique_name}", f"c-{unique_name}")

    seen: list[Message] = []
    loop = ConsumerLoop(
        "injected", factory, topic, seen.extend, batch_size=10, tenant_id=unique_name, restart_backoff=0.2
    )
    loop.start()
    try:
        wait_for(lambda: loop.state is LoopState.RESTARTING, 10, message="crash not reported")
        assert running_gauge(unique_name, "injected") == 0
        wait_for(lambda: loop.crashes >= 2, 30, message="the loop was not restarted after a crash")
        broken = False
        producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
        for i in range(3):
            producer.produce(topic, key=f"k{i}", value=f"v{i}".encode())
        assert producer.flush(30) == 0
        wait_for(lambda: len(seen) >= 3, 60, message="the restarted loop consumed nothing")
        assert loop.running and running_gauge(unique_name, "injected") == 1
    finally:
        loop.stop()
    assert running_gauge(unique_name, "injected") is None


def test_an_engine_whose_consumers_cannot_run_is_reported_unavailable(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    router: StaticRouter,
    api: BatchOpsService,
    unique_name: str,
    tenant_db: Any,
) -> None:
    # A poll interval below the session timeout: librdkafka refuses to build the consumers
    # (the producer, which ignores the setting, still starts).
    kafka = KafkaConfig(servers.kafka_bootstrap, max_poll_interval_ms=1000)
    engine = TenantEngine(unique_name, TenantConfiguration(), dataclasses.replace(engine_env, kafka=kafka))
    engine.start()
    engines.append(engine)
    router.add(unique_name, engine)
    wait_for(
        lambda: set(engine.consumers.values()) == {"restarting"},
        15,
        interval=0.1,
        message="consumers that cannot run were not reported",
    )
    assert not engine.healthy
    assert running_gauge(unique_name, "processor") == 0
    with grpc.insecure_channel(f"127.0.0.1:{api.port}") as channel:
        stub = multitenant_management_pb2_grpc.MultitenantManagementStub(channel)
        answer = stub.CheckTenantEngineAvailable(
            mtm.GCheckTenantEngineAvailableRequest(), metadata=(("tenant", unique_name),), timeout=30
        )
    assert answer.available is False
