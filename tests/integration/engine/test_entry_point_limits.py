"""The Kafka entry point bounds what a record may ask for: a chunk count beyond the token limit
and an operation without devices are dead-lettered; an operation whose announced chunks never
all arrive ends after the initialization timeout; recovery never materialises a chunk range."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import uuid
from typing import Any

from confluent_kafka import Producer

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints, wait_for
from batchops.domain import BatchOperation
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.codecs import encode_operation_chunk
from batchops.protocol.convert import uuid_to_wire
from batchops.store.work_store import WorkStore
from batchops.wire import batch_model_pb2 as bm
from support.engines import INTEGRATION_TESTS
from support.kafka import publish_operation, read_all
from support.recording_handler import RECORD

RECOVERY_PEAK_LIMIT = 16 * 1024 * 1024


def start(env: EngineEnvironment, tenant: str, engines: list[TenantEngine]) -> TenantEngine:
    engine = TenantEngine(tenant, TenantConfiguration(), env)
    engine.start()
    engines.append(engine)
    assert engine.wait_ready(60), "consumers did not join their groups"
    return engine


def send_chunk(servers: Endpoints, topic: str, tokens: list[str], index: int, count: int) -> uuid.UUID:
    op_id = uuid.uuid4()
    wire = bm.GBatchOperation(id=uuid_to_wire(op_id), token=f"op-{op_id.hex[:8]}", operationType=RECORD)
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    producer.produce(topic, key=str(op_id), value=encode_operation_chunk(wire, tokens, index, count))
    assert producer.flush(30) == 0
    return op_id


def final(work: WorkStore, op_id: uuid.UUID) -> BatchOperation | None:
    op = work.operations.operation(op_id)
    return op if op is not None and op.status.is_final else None


def test_records_beyond_the_limits_are_dead_lettered_and_the_consumer_moves_on(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    unique_name: str,
    effects: Any,
    work: WorkStore,
) -> None:
    engine = start(engine_env, unique_name, engines)
    topic = engine.topics.operations
    too_many_chunks = send_chunk(servers, topic, ["a"], 0, engine_env.limits.max_device_tokens + 1)
    no_devices = send_chunk(servers, topic, [], 0, 1)
    dead = read_all(servers, engine.topics.dead_letters, 2, f"dlq-{unique_name}")
    reasons = {m.key().decode(): dict(m.headers())["batchops.reason"].decode() for m in dead}
    assert "chunkCount" in reasons[str(too_many_chunks)], reasons
    assert reasons[str(no_devices)].startswith("9400:At least one device token is required"), reasons
    assert work.operations.operations([too_many_chunks, no_devices]) == {}
    later = publish_operation(servers, engine.topics, ["x", "y"], chunk=10)
    done = wait_for(lambda: final(work, later), 120, interval=0.2, message="a later operation never finished")
    assert done.status.value == "FinishedSuccessfully"


def test_an_operation_whose_chunks_never_arrive_ends_with_errors(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    unique_name: str,
    effects: Any,
    work: WorkStore,
) -> None:
    recovery = engine_env.recovery.model_copy(update={"initialization_timeout_seconds": 4.0})
    env = dataclasses.replace(engine_env, recovery=recovery)
    engine = start(env, unique_name, engines)
    # Announces 1,000 chunks, sends one.
    op_id = send_chunk(servers, engine.topics.operations, [f"d{i}" for i in range(5)], 0, 1000)
    done = wait_for(
        lambda: final(work, op_id), 120, interval=0.2, message="the operation stayed Initializing"
    )
    assert done.status.value == "FinishedWithErrors"
    assert "initialization timed out: 1 of 1000 target chunk(s) arrived" in done.last_error
    assert (done.total_elements, done.counts.succeeded) == (5, 5)


def test_recovery_of_a_huge_chunk_count_does_not_build_its_range(
    servers: Endpoints, unique_name: str, effects_db_name: str, effects: Any, work: WorkStore
) -> None:
    # Measured in a process of its own (``support.recovery_peak``): stopping tracemalloc in this
    # one, full of threads from native code, can crash it on Python 3.11 (CPython gh-128679).
    args = {
        "kafka": servers.kafka_bootstrap,
        "mongo": servers.mongo_uri,
        "tenant": unique_name,
        "instance_id": f"it{unique_name}",
        "name": f"test-{unique_name}",
        "effects_db": effects_db_name,
    }
    done = subprocess.run(
        [sys.executable, "-m", "support.recovery_peak", json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(INTEGRATION_TESTS)},
        timeout=600,  # generous: only a hung child takes this long
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    output = f"exit {done.returncode}: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    assert done.returncode == 0 and lines, output
    measured = json.loads(lines[-1])
    peak = measured["peak_bytes"]
    print(f"recovery sweep peak allocation: {peak / 1e6:.2f} MB")
    assert peak < RECOVERY_PEAK_LIMIT, f"recovery allocated {peak / 1e6:.1f} MB"
    op = work.operations.operation(uuid.UUID(measured["operation"]))
    assert op is not None and op.status.value == "Initializing"
