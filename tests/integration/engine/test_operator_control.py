"""Operator control against real engines: a cancel during initialization stops fan-out, a pause
during initialization resumes it where it stopped, and a pause outlives the process (SIGKILL)
and holds on the next one until a resume from another process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from batchops.devstack import Endpoints, wait_for
from batchops.domain import BatchOperation, BatchOperationStatus, ElementProcessingStatus, OperationCreate
from batchops.engine.control import OperationControls
from batchops.engine.tenant_engine import TenantEngine
from batchops.messaging.topics import TenantTopics
from batchops.store.work.control import ControlRequest
from batchops.store.work_store import WorkStore
from support.engines import EngineProcess
from support.kafka import publish_operation
from support.recording_handler import RECORD

_OP = BatchOperationStatus
OPERATOR = ControlRequest(by="operator", reason="test")


@pytest.fixture
def processes() -> Iterator[list[EngineProcess]]:
    started: list[EngineProcess] = []
    yield started
    for process in started:
        process.terminate()


def _create(engine: TenantEngine, count: int, **parameters: str) -> BatchOperation:
    create = OperationCreate(operation_type=RECORD, parameters=parameters)
    return engine.create_operation(create, [f"d-{i:05d}" for i in range(count)])


def _status(work: WorkStore, operation_id: uuid.UUID, status: BatchOperationStatus) -> BatchOperation:
    def reached() -> BatchOperation | None:
        current = work.operations.operation(operation_id)
        return current if current is not None and current.status == status else None

    return wait_for(reached, 180, interval=0.1, message=f"operation {operation_id} {status.value}")


def _element_counts(work: WorkStore, operation_id: uuid.UUID) -> dict[str, int]:
    rows = work.collections.elements.aggregate(
        [{"$match": {"op": str(operation_id)}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    )
    return {row["_id"]: row["n"] for row in rows}


def test_cancel_during_initialization_stops_fan_out(start_engine: Any, work: WorkStore, effects: Any) -> None:
    # Fan-out paced at 200 elements/s: 3,000 elements take 15 s to initialize.
    engine = start_engine(rate_limit_per_second=200.0)
    operation = _create(engine, 3000)
    wait_for(
        lambda: (op := work.operations.operation(operation.id)) is not None and op.counts.succeeded >= 50,
        120,
        message="processing under way during initialization",
    )
    assert work.operations.operation(operation.id).status == _OP.INITIALIZING  # type: ignore[union-attr]
    engine.controls.cancel(operation.id, False, OPERATOR)
    final = _status(work, operation.id, _OP.CANCELED)
    counts = _element_counts(work, operation.id)
    # Fan-out stopped: far from every target became an element; those that did are final.
    assert final.total_elements == sum(counts.values()) < 3000
    assert set(counts) <= {"Succeeded", "Canceled"}, counts
    assert (final.counts.succeeded, final.counts.canceled) == (counts["Succeeded"], counts.get("Canceled", 0))
    assert effects["effects"].count_documents({}) == final.counts.succeeded
    assert effects["executions"].count_documents({}) == final.counts.succeeded  # nothing ran twice


def test_pause_during_initialization_resumes_fan_out_where_it_stopped(
    start_engine: Any, work: WorkStore, effects: Any
) -> None:
    # Fan-out paced at 100 elements/s: initialization lasts 20 s, far longer than the first 50
    # elements take to run however loaded the machine is, so the pause lands inside it.
    engine = start_engine(rate_limit_per_second=100.0)
    operation = _create(engine, 2000)
    wait_for(lambda: effects["executions"].count_documents({}) >= 50, 120, message="processing under way")
    paused = engine.controls.pause(operation.id, OPERATOR)
    assert (paused.status, paused.paused_phase) == (_OP.PAUSED, _OP.INITIALIZING)
    wait_for(lambda: not _element_counts(work, operation.id).get("Processing"), 60, message="in-flight done")
    engine.controls.resume(operation.id, OPERATOR)
    final = _status(work, operation.id, _OP.FINISHED_SUCCESSFULLY)
    assert (final.total_elements, final.counts.succeeded) == (2000, 2000)
    assert effects["effects"].count_documents({}) == 2000
    assert effects["executions"].count_documents({}) == 2000  # no element ran twice


@pytest.mark.timeout(600)
def test_pause_survives_sigkill_and_a_resume_from_elsewhere_finishes(
    servers: Endpoints,
    unique_name: str,
    effects: Any,
    effects_db_name: str,
    work: WorkStore,
    processes: list[EngineProcess],
) -> None:
    instance = f"it{unique_name}"
    topics = TenantTopics("sitewhere", instance, unique_name)
    config = {"processing_concurrency": 8, "consumer_batch_size": 50}
    first = EngineProcess(servers, unique_name, instance, effects_db_name, "first", **config)
    processes.append(first)
    op_id = publish_operation(servers, topics, [f"dev-{i:05d}" for i in range(800)], chunk=100, delayMs="5")
    wait_for(lambda: effects["executions"].count_documents({}) >= 100, 120, message="processing under way")
    # The call comes from another process (this one: store only), as from an API-only instance.
    controls = OperationControls(work, work.control)
    controls.pause(op_id, OPERATOR)
    wait_for(lambda: not _element_counts(work, op_id).get("Processing"), 60, message="in-flight done")
    first.kill()
    ran = effects["executions"].count_documents({})
    second = EngineProcess(servers, unique_name, instance, effects_db_name, "second", **config)
    processes.append(second)
    # The second process holds the partitions now, and the operation stays paused there.
    held = work.operations.operation(op_id)
    assert held is not None and held.status == _OP.PAUSED
    assert effects["executions"].count_documents({}) == ran
    controls.resume(op_id, OPERATOR)
    # Resumed from here (no publisher): the running engine's recovery re-sends the waiting work.
    try:
        final = _status(work, op_id, _OP.FINISHED_SUCCESSFULLY)
    except TimeoutError:
        stuck = work.operations.operation(op_id)
        raise AssertionError(f"stuck: {stuck} {_element_counts(work, op_id)}") from None
    assert (final.total_elements, final.counts.succeeded) == (800, 800)
    assert effects["effects"].count_documents({}) == 800
    assert effects["executions"].count_documents({}) == 800  # nothing ran twice
    assert final.counts.of(ElementProcessingStatus.CANCELED) == 0
