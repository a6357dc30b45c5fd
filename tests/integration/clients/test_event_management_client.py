from __future__ import annotations

import uuid

from batchops.clients import ServiceClients
from batchops.simulator import Fleet, FleetSimulator


def test_add_command_invocation_is_recorded_as_sent(
    clients: ServiceClients, simulator: FleetSimulator, fleet: Fleet, tenant: str
) -> None:
    device = next(d for d in fleet.devices if d.active_assignments)
    assignment = device.active_assignments[0]
    operation_id = str(uuid.uuid4())
    invocation_id = clients.event_management.add_command_invocation(
        assignment.id,
        command_token="setInterval",
        initiator_id=operation_id,
        target_id=assignment.token,
        parameter_values={"seconds": "30"},
        metadata={"batch": "op-token"},
        tenant_id=tenant,
        auth_token="header.payload.signature",
    )
    assert uuid.UUID(invocation_id)
    [recorded] = simulator.invocations(tenant)
    assert recorded.invocation_id == invocation_id
    assert (recorded.device_token, recorded.assignment_token, recorded.request.command_token) == (
        device.token,
        assignment.token,
        "setInterval",
    )
    assert recorded.request.parameters == {"seconds": "30"}
    request = recorded.request
    assert (request.initiator, request.initiator_id) == (
        "CMD_INITIATOR_BATCH_OPERATION",
        operation_id,
    )
    assert (request.target, request.target_id) == (
        "CMD_TARGET_ASSIGNMENT",
        assignment.token,
    )
    assert recorded.request.metadata == {"batch": "op-token"}
    assert recorded.jwt == "header.payload.signature"
    assert simulator.invocations("another-tenant") == []
    assert simulator.duplicates(tenant) == 0
