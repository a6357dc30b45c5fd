"""One operation that recovery cannot handle (its record is larger than the producer accepts)
never stops the recovery of the others, and what recovery logs names the tenant and operation."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints, wait_for
from batchops.domain import OperationCreate
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.logs import JsonFormatter
from batchops.messaging.kafka import KafkaConfig
from batchops.store.work_store import WorkStore
from support.recording_handler import RECORD


@pytest.fixture
def recovery_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("batchops.engine.recovery")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(previous)


def test_a_failing_operation_does_not_stop_the_recovery_of_others(
    servers: Endpoints,
    engine_env: EngineEnvironment,
    unique_name: str,
    effects: Any,
    work: WorkStore,
    recovery_log: io.StringIO,
) -> None:
    # A producer capped at Kafka's 1 MB default cannot carry the first operation's record.
    kafka = KafkaConfig(servers.kafka_bootstrap, {"message.max.bytes": "1000000"})
    engine = TenantEngine(unique_name, TenantConfiguration(), dataclasses.replace(engine_env, kafka=kafka))
    engine.start()
    try:
        assert engine.wait_ready(60)
        # Stored but never published (as when publishing failed at create time): recovery's job.
        huge = engine.store.create_operation(
            OperationCreate(
                token="huge-parameters",
                operation_type=RECORD,
                parameters={f"p{i:03d}": "x" * 8000 for i in range(200)},
            ),
            ["h1"],
        )
        small = engine.store.create_operation(
            OperationCreate(token="small", operation_type=RECORD), ["s1", "s2"]
        )

        def small_final() -> Any:
            op = work.operations.operation(small.id)
            return op if op is not None and op.status.is_final else None

        done = wait_for(small_final, 120, interval=0.2, message="recovery stopped at the failing operation")
        assert done.status.value == "FinishedSuccessfully"
        still = work.operations.operation(huge.id)
        assert still is not None and still.status.value == "Unprocessed"
        assert engine.recovery is not None and engine.recovery.failures > 0
    finally:
        engine.stop()
    lines = [json.loads(line) for line in recovery_log.getvalue().splitlines()]
    failed = [line for line in lines if line.get("operation") == "huge-parameters"]
    assert failed, lines
    assert all(line.get("tenant") == unique_name for line in failed)
    assert all(line.get("tenant") == unique_name for line in lines)
