"""Issue 12, item 5: one tenant whose dependency hangs cannot starve the other tenants or the
health check (real service on a port, device management played by the fleet simulator)."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from batchops.config import Settings, with_overrides
from batchops.devstack import wait_for
from batchops.service import BatchOpsService
from batchops.simulator import FaultSettings, Fleet, FleetSimulator
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from support.services import start_store_only_service

API_WORKERS = 32
SLOW_CALLS = 40  # more than the API's workers, as in the attack
HANG_MS = 120_000  # "hung": far longer than the test; stopping the simulator wakes the calls
ANSWER_TIMEOUT = 30.0  # generous: a healthy call answers in milliseconds


@pytest.fixture
def hung_simulator() -> Iterator[FleetSimulator]:
    simulator = FleetSimulator(
        Fleet.generate(5, 10), "127.0.0.1", 0, faults=FaultSettings(latency_ms=HANG_MS), max_workers=64
    )
    simulator.start()
    yield simulator
    simulator.stop(0)


def start_service(settings: Settings, simulator: FleetSimulator, tenant_limit: int) -> BatchOpsService:
    settings = with_overrides(
        settings,
        **{
            "device_management_address": simulator.address,
            "event_management_address": simulator.address,
            "grpc_client_deadline_seconds": HANG_MS / 1000,
            "grpc_client_max_attempts": 1,
            "grpc_tenant_max_concurrent_calls": tenant_limit,
        },
    )
    service = start_store_only_service(settings)
    return service


def flood(stub: batch_management_pb2_grpc.BatchManagementStub, tenant: str) -> list[grpc.Future]:
    request = bms.GCreateBatchCommandByDeviceCriteriaRequest(
        request=bm.GBatchCommandByDeviceCriteriaCreateRequest(commandToken="ping", deviceTypeToken="any-type")
    )
    return [
        stub.CreateBatchCommandByDeviceCriteria.future(request, metadata=(("tenant", tenant),), timeout=300)
        for _ in range(SLOW_CALLS)
    ]


def refused(calls: list[grpc.Future]) -> int:
    return sum(
        1
        for call in calls
        if call.done() and call.exception() is not None and call.code() == grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]
    )


def test_a_tenant_with_a_hung_dependency_cannot_starve_other_tenants(
    api_settings: Settings, hung_simulator: FleetSimulator, unique_name: str
) -> None:
    limit = 4
    service = start_service(api_settings, hung_simulator, limit)
    calls: list[grpc.Future] = []
    try:
        with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
            stub = batch_management_pb2_grpc.BatchManagementStub(channel)
            calls = flood(stub, f"{unique_name}-greedy")
            # The greedy tenant gets its limit of calls into device management; the rest fail fast.
            wait_for(lambda: hung_simulator.calls() >= limit, 60, message="slow calls never arrived")
            wait_for(lambda: refused(calls) == SLOW_CALLS - limit, 60, message="calls past the limit queued")
            assert hung_simulator.calls() == limit
            # Another tenant is served as usual (NOT_FOUND is its answer: there is no such token).
            with pytest.raises(grpc.RpcError) as info:
                stub.GetBatchOperationByToken(
                    bms.GGetBatchOperationByTokenRequest(token="nothing-here"),
                    metadata=(("tenant", f"{unique_name}-other"),),
                    timeout=ANSWER_TIMEOUT,
                )
            assert info.value.code() == grpc.StatusCode.NOT_FOUND, info.value.details()
    finally:
        for call in calls:
            call.cancel()
        hung_simulator.stop(0)
        service.stop()


def test_health_and_reflection_answer_while_every_api_worker_is_busy(
    api_settings: Settings, hung_simulator: FleetSimulator, unique_name: str
) -> None:
    # No tenant limit to speak of: one tenant takes every API worker.
    service = start_service(api_settings, hung_simulator, 1024)
    calls: list[grpc.Future] = []
    try:
        with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
            calls = flood(batch_management_pb2_grpc.BatchManagementStub(channel), unique_name)
            wait_for(lambda: hung_simulator.calls() >= API_WORKERS, 60, message="the API pool never filled")
            health = health_pb2_grpc.HealthStub(channel)
            answer = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=ANSWER_TIMEOUT)
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
            responses = reflection.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=ANSWER_TIMEOUT
            )
            names = {service.name for service in next(responses).list_services_response.service}
            assert "com.sitewhere.grpc.service.BatchManagement" in names
            assert hung_simulator.calls() == API_WORKERS  # still saturated while they answered
    finally:
        for call in calls:
            call.cancel()
        hung_simulator.stop(0)
        service.stop()
