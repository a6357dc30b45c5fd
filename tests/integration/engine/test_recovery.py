"""Crashes, several engines and deletions: every operation still ends final and each element's
effect is recorded once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints, wait_for
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.topics import TenantTopics
from batchops.store.work_store import WorkStore
from batchops.wire import batch_model_pb2 as bm
from support.engines import EngineProcess
from support.kafka import publish_operation
from support.recording_handler import RECORD


@pytest.fixture
def processes() -> Iterator[list[EngineProcess]]:
    started: list[EngineProcess] = []
    yield started
    for process in started:
        process.terminate()


def describe(work: WorkStore, op_id: uuid.UUID) -> str:
    """The operation and its elements by status, for failure messages."""
    db = work.collections.operations.database
    op = db["batchoperations"].find_one(
        {"_id": str(op_id)}, {"chunksDone": 1, "chunkCount": 1, "status": 1, "counts": 1, "total": 1}
    )
    by_status = list(
        db["batchelements"].aggregate(
            [{"$match": {"op": str(op_id)}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        )
    )
    return f"operation={op} elements={by_status}"


@pytest.mark.timeout(900)
def test_killed_mid_initialization_and_mid_processing_still_finishes(
    servers: Endpoints,
    unique_name: str,
    effects: Any,
    effects_db_name: str,
    work: WorkStore,
    processes: list[EngineProcess],
) -> None:
    instance = f"it{unique_name}"
    topics = TenantTopics("sitewhere", instance, unique_name)
    slow = {
        # 1,500 elements at 100/s: initialization lasts at least 15 s, a wide window in which to
        # see processing progress before the kill, however fast or slow the machine is.
        "rate_limit_per_second": 100.0,
        "lease_seconds": 3,
        "processing_concurrency": 4,
        "consumer_batch_size": 50,
    }
    first = EngineProcess(servers, unique_name, instance, effects_db_name, "first", **slow)
    processes.append(first)
    tokens = [f"dev-{i:05d}" for i in range(1500)]
    op_id = publish_operation(servers, topics, tokens, chunk=125, delayMs="2")

    def mid_flight() -> bool:
        op = work.operations.operation(op_id)
        return op is not None and op.status.value == "Initializing" and op.counts.succeeded >= 100

    wait_for(
        mid_flight, 120, interval=0.05, message="never saw the operation mid-initialization with progress"
    )
    first.kill()
    before = work.operations.operation(op_id)
    assert before is not None and not before.status.is_final
    second = EngineProcess(servers, unique_name, instance, effects_db_name, "second", lease_seconds=3)
    processes.append(second)

    def finished() -> Any:
        op = work.operations.operation(op_id)
        return op if op is not None and op.status.is_final else None

    try:
        done = wait_for(finished, 300, interval=0.2, message="operation never finished after the crash")
    except TimeoutError:
        raise AssertionError(f"stuck: {describe(work, op_id)}") from None
    assert done.status.value == "FinishedSuccessfully"
    assert (done.total_elements, done.counts.succeeded, done.counts.failed) == (1500, 1500, 0)
    assert (done.counts.unprocessed, done.counts.processing) == (0, 0)
    assert effects["effects"].count_documents({"op": str(op_id)}) == 1500
    assert effects["effects"].count_documents({}) == 1500


@pytest.mark.timeout(900)
def test_two_engines_share_the_work_and_each_element_runs_once(
    servers: Endpoints, unique_name: str, engine_env: EngineEnvironment, effects: Any, work: WorkStore
) -> None:
    engines = []
    for name in ("a", "b"):
        instance = engine_env.instance
        env = replace(
            engine_env,
            instance=instance.model_copy(update={"instance_name": f"{instance.instance_name}-{name}"}),
        )
        engine = TenantEngine(unique_name, TenantConfiguration(consumer_batch_size=50), env)
        engine.start()
        engines.append(engine)
    try:
        assert all(engine.wait_ready(60) for engine in engines)
        # Both hold partitions: wait for the group to settle so no rebalance happens mid-run.
        topics = engines[0].topics
        op_id = publish_operation(servers, topics, [f"d-{i}" for i in range(1000)], chunk=250)

        def finished() -> Any:
            op = work.operations.operation(op_id)
            return op if op is not None and op.status.is_final else None

        done = wait_for(finished, 300, interval=0.2, message="operation never finished")
        assert (done.counts.succeeded, done.total_elements) == (1000, 1000)
        assert effects["executions"].count_documents({}) == 1000  # nothing ran twice
        assert all(engine.consumed_elements > 0 for engine in engines), [e.consumed_elements for e in engines]
    finally:
        for engine in engines:
            engine.stop()


def test_deleting_mid_flight_stops_processing_and_stays_deleted(
    start_engine: Any, router: Any, stub: Any, unique_name: str, effects: Any, work: WorkStore
) -> None:
    from batchops.wire import batch_management_pb2 as bms

    engine = start_engine(processing_concurrency=2, consumer_batch_size=20)
    router.add(unique_name, engine)
    md = (("tenant", unique_name),)
    req = bm.GBatchOperationCreateRequest(
        operationType=RECORD, deviceTokens=[f"d-{i}" for i in range(1500)], parameters={"delayMs": "5"}
    )
    op = stub.CreateBatchOperation(bms.GCreateBatchOperationRequest(request=req), metadata=md).batchOperation
    wait_for(lambda: effects["executions"].count_documents({}) >= 50, 60, message="processing never started")
    stub.DeleteBatchOperation(bms.GDeleteBatchOperationRequest(batchOperationId=op.id), metadata=md)
    executed_at_delete = effects["executions"].count_documents({})
    # Every element record that was published (fan-out stops at the delete, so maybe fewer than
    # 1,500: how many depends on the machine's speed) is consumed and committed.
    assert engine.lag is not None
    wait_for(
        lambda: engine.consumed_elements > 0 and engine.lag.read().get("elements") == 0,
        120,
        message="element records were not drained",
    )
    op_id = uuid.UUID(int=(op.id.msb << 64) | op.id.lsb)
    assert work.operations.operation(op_id) is None
    assert work.operations.deleted([op_id]) == {op_id}
    assert engine.work.operations.operations([op_id]) == {}
    # At most the batches already in flight when the delete landed ran afterwards.
    assert effects["executions"].count_documents({}) <= executed_at_delete + 2 * 20
    # A late record for the deleted operation does not bring it back.
    engine.recovery.sweep() if engine.recovery else None
    assert work.operations.operation(op_id) is None
