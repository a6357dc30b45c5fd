"""Shared pieces of the operator-control tests: the devices that take a command, and what the
simulator saw of an operation."""

from __future__ import annotations

from batchops.ops.views import uuid_text
from batchops.simulator import FleetSimulator
from batchops.simulator.recorder import RecordedInvocation
from batchops.wire import batch_model_pb2 as bm
from support.e2e import expected_errors

COMMAND = "ping"
CONCURRENCY = 32  # the default tenant's processing concurrency


def ping_targets(simulator: FleetSimulator, count: int) -> list[str]:
    """``count`` devices the command succeeds on (so every element's outcome is known)."""
    fleet = simulator.fleet
    expected = expected_errors(fleet, [d.token for d in fleet.devices], COMMAND)
    targets = [token for token, error in expected.items() if error is None][:count]
    assert len(targets) == count
    return targets


def invocations_of(
    simulator: FleetSimulator, tenant: str, operation: bm.GBatchOperation
) -> list[RecordedInvocation]:
    operation_id = uuid_text(operation.id)
    return [i for i in simulator.invocations(tenant) if i.request.initiator_id == operation_id]
