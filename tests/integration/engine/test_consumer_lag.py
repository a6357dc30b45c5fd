"""Consumer lag is exact on the real broker: N element records held unprocessed -> lag N; once
released, it drains to 0 (the engine's gauge and the scraped ``batchops_consumer_lag`` agree)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from batchops.api import StaticRouter
from batchops.devstack import Endpoints, wait_for
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment
from batchops.metrics import TOPIC_ELEMENTS, TOPIC_OPERATIONS, start_metrics_server, stop_metrics_server
from batchops.tenants.cli import tenants_app
from batchops.wire import batch_model_pb2 as bm
from support.api import create, wait_final
from support.engines import recording_registry
from support.metrics import scrape
from support.recording_handler import GateHandler

runner = CliRunner()

ELEMENTS = 300  # two target chunks of the test environment's 250 tokens, over 8 partitions


@pytest.fixture
def gate() -> GateHandler:
    return GateHandler()


@pytest.fixture
def registry(servers: Endpoints, effects_db_name: str, gate: GateHandler) -> HandlerRegistry:
    return recording_registry(servers.mongo_uri, effects_db_name, gate)


def cli_row(servers: Endpoints, env: EngineEnvironment, tenant: str) -> dict[str, Any]:
    """The tenant's row of ``batchops tenants list --lag --json`` (tenant added to ZooKeeper)."""
    common = ["--zk", servers.zk_hosts, "--instance-id", env.instance.instance_id]
    kafka = ["--kafka", servers.kafka_bootstrap, "--product-id", env.instance.product_id]
    added = runner.invoke(tenants_app, ["add", tenant, "--if-not-exists", *common])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(
        tenants_app,
        [
            "list",
            "--lag",
            "--json",
            *common,
            "--kafka",
            servers.kafka_bootstrap,
            "--product-id",
            env.instance.product_id,
        ],
    )
    assert listed.exit_code == 0, listed.output
    (row,) = [row for row in json.loads(listed.output) if row["tenantId"] == tenant]
    text = runner.invoke(tenants_app, ["list", "--lag", *common, *kafka])
    assert "ELEM_LAG" in text.output and "CONSUMERS" in text.output and tenant in text.output, text.output
    return dict(row)


def cli_lag(servers: Endpoints, env: EngineEnvironment, tenant: str) -> dict[str, int]:
    return dict(cli_row(servers, env, tenant)["consumerLag"])


def test_lag_counts_held_records_exactly_and_drains(
    start_engine: Any,
    router: StaticRouter,
    stub: Any,
    unique_name: str,
    gate: GateHandler,
    tenant_db: Any,
    servers: Endpoints,
    engine_env: EngineEnvironment,
) -> None:
    engine = start_engine(topic_partitions=8, consumer_batch_size=50)
    router.add(unique_name, engine)
    port = start_metrics_server(0, "127.0.0.1")
    try:
        op = create(stub, unique_name, [f"lag-{i}" for i in range(ELEMENTS)], op_type="Gate")
        expected_held = {TOPIC_OPERATIONS: 0, TOPIC_ELEMENTS: ELEMENTS}
        wait_for(lambda: engine.lag.read() == expected_held, 120, interval=0.2, message="lag never reached N")
        samples = scrape(port)

        def gauge(topic: str) -> float:
            return samples[("batchops_consumer_lag", (("tenant", unique_name), ("topic", topic)))]

        assert gauge(TOPIC_ELEMENTS) == ELEMENTS
        assert gauge(TOPIC_OPERATIONS) == 0
        assert cli_lag(servers, engine_env, unique_name) == expected_held

        gate.gate.set()
        final = wait_final(stub, unique_name, op.id, timeout=180)
        assert final.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
        drained = {TOPIC_OPERATIONS: 0, TOPIC_ELEMENTS: 0}
        wait_for(lambda: engine.lag.read() == drained, 60, interval=0.2, message="lag never drained")
    finally:
        gate.gate.set()
        stop_metrics_server(port)


def test_tenants_list_shows_whether_anyone_consumes(
    start_engine: Any, unique_name: str, tenant_db: Any, servers: Endpoints, engine_env: EngineEnvironment
) -> None:
    engine = start_engine()
    expected_running = {TOPIC_OPERATIONS: 1, TOPIC_ELEMENTS: 1}
    wait_for(
        lambda: cli_row(servers, engine_env, unique_name)["consumers"] == expected_running,
        60,
        interval=0.5,
        message="the engine's two consumers never showed as group members",
    )
    engine.stop()  # its consumers leave their groups
    nobody = {TOPIC_OPERATIONS: 0, TOPIC_ELEMENTS: 0}
    wait_for(
        lambda: cli_row(servers, engine_env, unique_name)["consumers"] == nobody,
        60,
        interval=0.5,
        message="a stopped engine's consumers still showed",
    )
