from __future__ import annotations

import time

import grpc
import pytest

from batchops.clients import ClientError, ClientSettings, ServiceClients, connect
from batchops.devstack import wait_for
from batchops.simulator import Fault, Fleet, FleetSimulator


def invoke(clients: ServiceClients, fleet: Fleet, tenant: str) -> str:
    assignment = next(d for d in fleet.devices if d.active_assignments).active_assignments[0]
    return clients.event_management.add_command_invocation(
        assignment.id,
        command_token="ping",
        initiator_id="op-1",
        target_id=assignment.token,
        parameter_values={},
        metadata={},
        tenant_id=tenant,
    )


def test_unavailable_is_retried_until_it_succeeds(
    clients: ServiceClients, simulator: FleetSimulator, tenant: str
) -> None:
    simulator.fail_next(3, Fault.UNAVAILABLE, method="GetDeviceByToken")
    assert clients.device_management.get_device_by_token("dev-000010", tenant_id=tenant) is not None
    assert simulator.calls("GetDeviceByToken") == 4


def test_retries_give_up_after_max_attempts(
    clients: ServiceClients, simulator: FleetSimulator, client_settings: ClientSettings, tenant: str
) -> None:
    simulator.configure(unavailable_rate=1.0)
    with pytest.raises(ClientError) as raised:
        clients.device_management.get_device_by_token("dev-000010", tenant_id=tenant)
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert raised.value.attempts == client_settings.max_attempts == simulator.calls()
    assert "device-management GetDeviceByToken failed after 4 attempts: UNAVAILABLE" in str(raised.value)


def test_a_timeout_is_retried_with_a_fresh_deadline(
    client_settings: ClientSettings, simulator: FleetSimulator, tenant: str
) -> None:
    simulator.fail_next(1, Fault.TIMEOUT)
    with connect(client_settings.model_copy(update={"deadline_seconds": 0.3})) as clients:
        started = time.monotonic()
        assert clients.device_management.get_device_by_token("dev-000010", tenant_id=tenant) is not None
    assert time.monotonic() - started >= 0.3
    assert simulator.calls("GetDeviceByToken") == 2


def test_persistent_timeouts_end_in_deadline_exceeded(
    client_settings: ClientSettings, simulator: FleetSimulator, tenant: str
) -> None:
    simulator.configure(timeout_rate=1.0)
    settings = client_settings.model_copy(update={"deadline_seconds": 0.2, "max_attempts": 2})
    with connect(settings) as clients, pytest.raises(ClientError) as raised:
        clients.device_management.get_device_type_by_token("gateway", tenant_id=tenant)
    assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED and raised.value.attempts == 2


def test_retrying_a_timed_out_write_can_duplicate_it(
    client_settings: ClientSettings, simulator: FleetSimulator, fleet: Fleet, tenant: str
) -> None:
    # The slow server stored the first invocation after the client gave up on it.
    simulator.fail_next(1, Fault.TIMEOUT, method="AddCommandInvocations")
    with connect(client_settings.model_copy(update={"deadline_seconds": 0.3})) as clients:
        invoke(clients, fleet, tenant)
    wait_for(lambda: len(simulator.invocations(tenant)) == 2, timeout=5, message="late invocation stored")
    assert simulator.duplicates(tenant) == 1


def test_writes_can_be_kept_from_retrying_after_a_deadline(
    client_settings: ClientSettings, simulator: FleetSimulator, fleet: Fleet, tenant: str
) -> None:
    simulator.fail_next(1, Fault.TIMEOUT, method="AddCommandInvocations")
    settings = client_settings.model_copy(update={"deadline_seconds": 0.3, "retry_writes_on_deadline": False})
    with connect(settings) as clients, pytest.raises(ClientError) as raised:
        invoke(clients, fleet, tenant)
    assert raised.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert simulator.calls("AddCommandInvocations") == 1


def test_latency_is_injected_and_changeable(
    clients: ServiceClients, simulator: FleetSimulator, tenant: str
) -> None:
    simulator.configure(latency_ms=80)
    started = time.monotonic()
    clients.device_management.get_device_by_token("dev-000010", tenant_id=tenant)
    assert time.monotonic() - started >= 0.08
    simulator.configure(latency_ms=0)
    assert simulator.faults.settings.latency_ms == 0
