"""The built-in command-invocation handler through the handler-author harness, against the
in-memory fake services (the same handler against a simulator over gRPC: the integration tests)."""

from __future__ import annotations

import grpc
import pytest

from batchops.clients import ClientError, ServiceUnavailable
from batchops.domain import InvalidArgument, OperationCreate
from batchops.domain.creation import command_invocation
from batchops.engine.handlers import OperationHandler
from batchops.engine.handlers.command_invocation import BatchCommandInvocationHandler, CommandInvocationError
from batchops.testing import HandlerHarness, Party
from batchops.wire.sitewhere_common_pb2 import CMD_INITIATOR_BATCH_OPERATION, CMD_TARGET_ASSIGNMENT

VALUES = {"interval": "30"}


@pytest.fixture
def harness() -> HandlerHarness:
    harness = HandlerHarness(BatchCommandInvocationHandler())
    devices = harness.fakes.device_management
    thermostat = devices.add_device_type("thermostat", commands=["setInterval", "ping"])
    devices.add_device("dev-1", thermostat)
    devices.add_device("dev-2", thermostat, assignments=2)
    devices.add_device("dev-idle", thermostat, assignments=0)
    devices.add_device("dev-untyped", None)
    devices.add_device("cam-1", devices.add_device_type("camera"))
    return harness


def invoke(command: str = "setInterval") -> OperationCreate:
    """As CreateBatchCommandInvocation builds it."""
    return command_invocation(token="op-1", command=command, parameter_values=VALUES, targeting="test")


def test_the_handler_is_an_operation_handler() -> None:
    assert isinstance(BatchCommandInvocationHandler(), OperationHandler)


def test_invokes_the_command_on_the_active_assignment(harness: HandlerHarness) -> None:
    operation = harness.create_operation(invoke())
    outcome = harness.run(operation, "dev-1").assert_succeeded()
    [invocation] = harness.fakes.event_management.invocations
    assert outcome.metadata == {"invocation": invocation.event_id}
    assert invocation.command_token == "setInterval"
    assert invocation.target == Party(CMD_TARGET_ASSIGNMENT, "dev-1-assignment-1")
    assert invocation.initiator == Party(CMD_INITIATOR_BATCH_OPERATION, str(operation.id))
    assert invocation.parameter_values == VALUES
    assert invocation.metadata == {"batch": "op-1"}
    calls = harness.fakes.device_management.calls + harness.fakes.event_management.calls
    assert {(c.tenant_id, c.auth_token) for c in calls} == {(harness.tenant_id, harness.auth_token)}


def test_targets_every_assignment_only_when_asked(harness: HandlerHarness) -> None:
    operation = harness.create_operation(invoke())
    harness.run(operation, "dev-2").assert_succeeded()
    assert len(harness.fakes.event_management.invocations) == 1
    all_of_them = harness.run(operation, "dev-2", options={"target_all_assignments": "true"})
    ids = all_of_them.assert_succeeded().metadata["invocation"].split(",")
    assert len(ids) == 2 and len(harness.fakes.event_management.invocations) == 3


@pytest.mark.parametrize(
    ("device", "error"),
    [
        ("dev-nope", "unknown device token 'dev-nope'"),
        ("dev-untyped", "device 'dev-untyped' has no device type"),
        ("dev-idle", "device 'dev-idle' has no active assignment"),
        ("cam-1", "Invalid command token (setInterval) for device type 'camera'"),
    ],
)
def test_element_failures(harness: HandlerHarness, device: str, error: str) -> None:
    harness.run(harness.create_operation(invoke()), device).assert_failed(error)
    assert harness.fakes.event_management.invocations == []


def test_a_command_unknown_for_the_type_is_looked_up_once_per_operation(harness: HandlerHarness) -> None:
    operation = harness.create_operation(invoke())
    for _ in range(3):
        harness.run(operation, "cam-1").assert_failed("Invalid command token")
    assert harness.fakes.device_management.called("get_command_by_token") == 1


def test_a_failed_call_is_a_failed_attempt(harness: HandlerHarness) -> None:
    operation = harness.create_operation(invoke())
    lost = ClientError("event-management", "AddCommandInvocations", grpc.StatusCode.UNAVAILABLE, "down", 3)
    harness.fakes.event_management.fail_next(lost)
    run = harness.run(operation, "dev-1")
    run.assert_raised(CommandInvocationError, "device 'dev-1': event-management AddCommandInvocations failed")
    harness.run(operation, "dev-1").assert_succeeded()  # the retry goes through


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
@pytest.mark.parametrize(
    ("service", "method"),
    [("device-management", "GetDeviceByToken"), ("event-management", "AddCommandInvocations")],
)
def test_an_unreachable_service_is_a_dependency_unavailable(
    harness: HandlerHarness, code: grpc.StatusCode, service: str, method: str
) -> None:
    operation = harness.create_operation(invoke())
    down = ServiceUnavailable(service, method, code, "down", 5)
    fakes = harness.fakes
    (fakes.device_management if service == "device-management" else fakes.event_management).fail_next(down)
    run = harness.run(operation, "dev-1")
    error = run.assert_dependency_unavailable(service, f"device 'dev-1': {service} {method} failed")
    assert isinstance(error, CommandInvocationError)  # still what the handler raised before
    assert harness.fakes.event_management.invocations == []
    harness.run(operation, "dev-1").assert_succeeded()


def test_an_answer_from_a_service_is_no_dependency_unavailable(harness: HandlerHarness) -> None:
    denied = ClientError("device-management", "GetDeviceByToken", grpc.StatusCode.PERMISSION_DENIED, "no", 1)
    harness.fakes.device_management.fail_next(denied)
    run = harness.run(harness.create_operation(invoke()), "dev-1")
    run.assert_raised(CommandInvocationError, "PERMISSION_DENIED")
    with pytest.raises(AssertionError, match="DependencyUnavailable"):
        run.assert_dependency_unavailable()


def test_without_services_the_element_fails(harness: HandlerHarness) -> None:
    run = harness.run(harness.create_operation(invoke()), "dev-1", without_services=True)
    run.assert_failed("not configured")


def test_validation_needs_a_command_token(harness: HandlerHarness) -> None:
    with pytest.raises(InvalidArgument, match="commandToken"):
        harness.create_operation(OperationCreate(operation_type="BatchCommandInvocation"))
    with pytest.raises(InvalidArgument, match="No handler for operation type 'Other'"):
        harness.create_operation(OperationCreate(operation_type="Other"))
