from __future__ import annotations

import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from batchops.clients import ServiceClients
from batchops.clients.calls import ClientError
from batchops.domain import (
    BATCH_COMMAND_INVOCATION,
    BatchElement,
    BatchOperation,
    InvalidArgument,
    OperationCreate,
    element_id_for,
)
from batchops.engine.handlers import OperationHandler
from batchops.engine.handlers.base import ElementOutcome, HandlerBatch, HandlerContext
from batchops.engine.handlers.command_invocation import BatchCommandInvocationHandler, CommandInvocationError
from batchops.simulator import Fault, Fleet, FleetSimulator

JWT = "header.payload.signature"


def operation(command: str = "setInterval", **parameters: str) -> BatchOperation:
    return BatchOperation(
        id=uuid.uuid4(),
        token=f"op-{uuid.uuid4().hex[:8]}",
        operation_type=BATCH_COMMAND_INVOCATION,
        parameters={"commandToken": command} if command else {},
        invocation_parameters=parameters,
        created_date=datetime.now(UTC),
    )


def context(
    op: BatchOperation,
    device_token: str,
    clients: ServiceClients,
    tenant: str,
    options: Mapping[str, Any] | None = None,
) -> HandlerContext:
    element = BatchElement(
        id=element_id_for(op.id, device_token), operation_id=op.id, device_token=device_token
    )
    return HandlerContext(tenant, op, element, clients.services, options or {}, JWT)


def single_assignment_device(fleet: Fleet, command: str = "setInterval") -> str:
    return next(
        d.token
        for d in fleet.devices
        if len(d.active_assignments) == 1
        and command in {c.token for c in fleet.type_by_id[d.device_type_id].commands}
    )


def test_is_an_operation_handler() -> None:
    handler = BatchCommandInvocationHandler()
    assert isinstance(handler, OperationHandler)
    assert handler.operation_type == "BatchCommandInvocation"


def test_validate_requires_a_command_token() -> None:
    handler = BatchCommandInvocationHandler()
    handler.validate(
        OperationCreate(operation_type=BATCH_COMMAND_INVOCATION, parameters={"commandToken": "ping"})
    )
    with pytest.raises(InvalidArgument, match="commandToken"):
        handler.validate(OperationCreate(operation_type=BATCH_COMMAND_INVOCATION))


def test_success_records_exactly_one_invocation(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    op = operation("setInterval", seconds="30")
    token = single_assignment_device(handler_fleet)
    outcome = BatchCommandInvocationHandler().handle(context(op, token, clients, unique_name))
    [recorded] = simulator.invocations(unique_name)
    assignment = handler_fleet.device_by_token[token].active_assignments[0]
    assert outcome == ElementOutcome.success(invocation=recorded.invocation_id)
    assert (recorded.device_token, recorded.request.command_token, recorded.request.parameters) == (
        token,
        "setInterval",
        {"seconds": "30"},
    )
    request = recorded.request
    assert (request.initiator, request.initiator_id) == (
        "CMD_INITIATOR_BATCH_OPERATION",
        str(op.id),
    )
    assert (request.target, request.target_id) == (
        "CMD_TARGET_ASSIGNMENT",
        assignment.token,
    )
    assert recorded.assignment_id == str(assignment.id)
    assert recorded.request.metadata == {"batch": op.token}
    assert recorded.jwt == JWT


def test_parameters_come_from_invocation_parameters_not_metadata(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    op = operation("reboot", delaySeconds="5").model_copy(update={"metadata": {"note": "not a parameter"}})
    token = single_assignment_device(handler_fleet, "reboot")
    assert BatchCommandInvocationHandler().handle(context(op, token, clients, unique_name)).succeeded
    assert simulator.invocations(unique_name)[0].request.parameters == {"delaySeconds": "5"}


def test_unknown_device(clients: ServiceClients, simulator: FleetSimulator, unique_name: str) -> None:
    outcome = BatchCommandInvocationHandler().handle(context(operation(), "dev-nope", clients, unique_name))
    assert outcome == ElementOutcome.failure("unknown device token 'dev-nope'")
    assert simulator.invocations(unique_name) == []


def test_command_not_defined_for_the_device_type(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    device_type = next(
        t for t in handler_fleet.device_types if "firmwareUpdate" not in {c.token for c in t.commands}
    )
    token = handler_fleet.devices_of_type(device_type.token)[0]
    outcome = BatchCommandInvocationHandler().handle(
        context(operation("firmwareUpdate"), token, clients, unique_name)
    )
    assert outcome == ElementOutcome.failure(
        f"Invalid command token (firmwareUpdate) for device type '{device_type.token}'"
    )
    assert simulator.invocations(unique_name) == []


def test_no_active_assignment(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    token = handler_fleet.devices_without_active_assignment()[0]
    outcome = BatchCommandInvocationHandler().handle(context(operation("ping"), token, clients, unique_name))
    assert outcome == ElementOutcome.failure(f"device '{token}' has no active assignment")
    assert simulator.invocations(unique_name) == []


def test_first_active_assignment_only_by_default(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    token = handler_fleet.devices_with_several_active_assignments()[0]
    outcome = BatchCommandInvocationHandler().handle(context(operation("ping"), token, clients, unique_name))
    [recorded] = simulator.invocations(unique_name)
    assert outcome.succeeded and outcome.metadata == {"invocation": recorded.invocation_id}
    assert recorded.request.target_id == handler_fleet.device_by_token[token].active_assignments[0].token


@pytest.mark.parametrize("flag", [True, "true"])
def test_target_all_assignments(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str, flag: object
) -> None:
    token = handler_fleet.devices_with_several_active_assignments()[0]
    ctx = context(operation("ping"), token, clients, unique_name, {"target_all_assignments": flag})
    outcome = BatchCommandInvocationHandler().handle(ctx)
    recorded = simulator.invocations(unique_name)
    assert outcome.succeeded
    assert outcome.metadata["invocation"] == ",".join(r.invocation_id for r in recorded)
    assert [r.request.target_id for r in recorded] == [
        a.token for a in handler_fleet.device_by_token[token].active_assignments
    ]
    assert simulator.duplicates(unique_name) == 0


def test_command_lookups_are_cached_per_operation(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    handler = BatchCommandInvocationHandler()
    tokens = handler_fleet.devices_of_type("gateway")[:25]
    op = operation("ping")
    for token in tokens:
        handler.handle(context(op, token, clients, unique_name))
    assert simulator.calls("GetDeviceCommandByToken") == 1
    handler.handle(context(operation("ping"), tokens[0], clients, unique_name))  # a new operation looks again
    assert simulator.calls("GetDeviceCommandByToken") == 2


def test_concurrent_elements(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    handler, op = BatchCommandInvocationHandler(), operation("ping")
    tokens = [d.token for d in handler_fleet.devices[:300]]
    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(lambda t: handler.handle(context(op, t, clients, unique_name)), tokens))
    without = set(handler_fleet.devices_without_active_assignment())
    assert [o.succeeded for o in outcomes] == [t not in without for t in tokens]
    assert len(simulator.invocations(unique_name)) == sum(t not in without for t in tokens)
    assert simulator.duplicates(unique_name) == 0


def test_transient_errors_are_retried(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    simulator.fail_next(2, Fault.UNAVAILABLE, method="AddCommandInvocations")
    outcome = BatchCommandInvocationHandler().handle(
        context(operation("ping"), single_assignment_device(handler_fleet), clients, unique_name)
    )
    assert outcome.succeeded and len(simulator.invocations(unique_name)) == 1


def test_persistent_client_errors_raise_with_a_clear_message(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    simulator.fail_next(3, Fault.UNAVAILABLE, method="AddCommandInvocations")
    token = single_assignment_device(handler_fleet)
    with pytest.raises(CommandInvocationError) as raised:
        BatchCommandInvocationHandler().handle(context(operation("ping"), token, clients, unique_name))
    assert str(raised.value) == (
        f"device '{token}': event-management AddCommandInvocations failed after 3 attempts: "
        "UNAVAILABLE injected fault: AddCommandInvocations unavailable"
    )


def test_missing_clients_fail_the_element(unique_name: str) -> None:
    op = operation("ping")
    element = BatchElement(
        id=element_id_for(op.id, "dev-000001"), operation_id=op.id, device_token="dev-000001"
    )
    outcome = BatchCommandInvocationHandler().handle(HandlerContext(unique_name, op, element))
    assert not outcome.succeeded and "not configured" in outcome.error


def batch_of(op: BatchOperation, tokens: list[str], tenant: str, clients: ServiceClients) -> HandlerBatch:
    elements = [BatchElement(id=element_id_for(op.id, t), operation_id=op.id, device_token=t) for t in tokens]
    return HandlerBatch(tenant, op, elements, clients.services, {}, JWT)


@pytest.mark.parametrize("all_assignments", [False, True])
def test_a_prepared_batch_asks_for_its_assignments_once_and_targets_the_same_assignments(
    clients: ServiceClients,
    simulator: FleetSimulator,
    handler_fleet: Fleet,
    unique_name: str,
    all_assignments: bool,
) -> None:
    """One ListDeviceAssignments for the batch instead of one GetActiveAssignmentsForDevice per
    device, and the same invocations as unprepared: the first active assignment (in the device's
    order) or all of them, and the same failure for a device without one."""
    several = handler_fleet.devices_with_several_active_assignments()[:5]
    unassigned = handler_fleet.devices_without_active_assignment()[:5]
    tokens = [*several, *unassigned, *[d.token for d in handler_fleet.devices[:40]]]
    tokens = list(dict.fromkeys(tokens))
    options = {"target_all_assignments": all_assignments}
    handler, op = BatchCommandInvocationHandler(), operation("ping")
    before = simulator.calls("ListDeviceAssignments")
    prepared = handler.prepare(batch_of(op, tokens, unique_name, clients))
    assert simulator.calls("ListDeviceAssignments") == before + 1
    per_device = simulator.calls("GetActiveAssignmentsForDevice")
    outcomes = {
        t: handler.handle(replace(context(op, t, clients, unique_name, options), prepared=prepared))
        for t in tokens
    }

    assert simulator.calls("GetActiveAssignmentsForDevice") == per_device  # none asked for alone
    recorded = simulator.invocations(unique_name)
    expected = [
        a.token
        for t in tokens
        for a in handler_fleet.device_by_token[t].active_assignments[: None if all_assignments else 1]
    ]
    assert sorted(r.request.target_id for r in recorded) == sorted(expected)
    for token in unassigned:
        assert outcomes[token] == ElementOutcome.failure(f"device '{token}' has no active assignment")
    assert simulator.duplicates(unique_name) == 0


def test_a_device_outside_the_prepared_batch_looks_its_assignments_up_alone(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    handler, op = BatchCommandInvocationHandler(), operation("ping")
    outsider = single_assignment_device(handler_fleet, "ping")
    inside = next(d.token for d in handler_fleet.devices if d.token != outsider)
    prepared = handler.prepare(batch_of(op, [inside], unique_name, clients))
    before = simulator.calls("GetActiveAssignmentsForDevice")
    outcome = handler.handle(replace(context(op, outsider, clients, unique_name), prepared=prepared))
    assert outcome.succeeded
    assert simulator.calls("GetActiveAssignmentsForDevice") == before + 1
    [recorded] = simulator.invocations(unique_name)
    assert recorded.request.target_id == handler_fleet.device_by_token[outsider].active_assignments[0].token


def test_a_failed_preparation_raises_and_leaves_nothing_half_done(
    clients: ServiceClients, simulator: FleetSimulator, handler_fleet: Fleet, unique_name: str
) -> None:
    """One attempt only (the elements can do without it): the processor then runs them unprepared."""
    simulator.fail_next(1, Fault.UNAVAILABLE, method="ListDeviceAssignments")
    handler, op = BatchCommandInvocationHandler(), operation("ping")
    before = simulator.calls("ListDeviceAssignments")
    with pytest.raises(ClientError):
        handler.prepare(batch_of(op, [d.token for d in handler_fleet.devices[:10]], unique_name, clients))
    assert simulator.calls("ListDeviceAssignments") == before + 1
    assert simulator.invocations(unique_name) == []
