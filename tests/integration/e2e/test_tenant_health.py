"""Per-tenant health: ``grpc.health.v1`` answers for service ``batchops.tenant/<id>`` SERVING while
the tenant's engine consumes, and NOT_SERVING within seconds once its consumers are gone, while
the process-wide entry stays SERVING (the other tenants are fine)."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from batchops.api.tenant_health import tenant_health_name
from batchops.devstack import Endpoints, wait_for
from batchops.simulator import FleetSimulator
from support.e2e import e2e_settings, running_service

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def test_a_tenant_whose_consumers_stopped_reads_not_serving(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    sick, well = f"{unique_name}a", f"{unique_name}b"
    settings = e2e_settings(servers, simulator, unique_name, [sick, well])
    with (
        running_service(servers, settings) as service,
        grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel,
    ):
        health = health_pb2_grpc.HealthStub(channel)

        def status(name: str) -> int:
            return int(health.Check(health_pb2.HealthCheckRequest(service=name), timeout=5).status)

        for tenant in (sick, well):
            name = tenant_health_name(tenant)
            wait_for(lambda name=name: status(name) == SERVING, 30, interval=0.1, message=f"{name} serving")

        service.static_engines[sick].stop()  # both consumers leave: nothing works on its records
        wait_for(
            lambda: status(tenant_health_name(sick)) == NOT_SERVING,
            30,
            interval=0.1,
            message="a tenant without consumers still read SERVING",
        )
        assert status(tenant_health_name(well)) == SERVING
        assert status("") == SERVING
