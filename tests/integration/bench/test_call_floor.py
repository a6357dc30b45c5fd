"""The invocation's call floor makes exactly the handler's two calls per target, through the
service's clients, against a real simulator; its figures are per element and per call."""

from __future__ import annotations

from collections import Counter

from batchops.bench.call_floor import (
    CALLS_PER_ELEMENT,
    FLOOR_TENANT,
    floor_targets,
    measure_call_floor,
    try_call_floor,
)
from batchops.simulator import Fleet, FleetSimulator

COMMAND = "ping"


def _invocable(fleet: Fleet, token: str) -> bool:
    device = fleet.device_by_token[token]
    return bool(device.active_assignments) and (
        (device.device_type_id, COMMAND) in fleet.command_by_type_and_token
    )


def test_targets_are_the_devices_the_handler_would_invoke_on(fleet: Fleet) -> None:
    targets = floor_targets(fleet, COMMAND, limit=len(fleet.devices))
    chosen = {target.device_token for target in targets}
    invocable = {device.token for device in fleet.devices if _invocable(fleet, device.token)}
    assert chosen == invocable
    # The fleet has devices the handler fails (no active assignment, a type without the command).
    assert 0 < len(chosen) < len(fleet.devices)
    for target in targets:
        assert target.assignment_id == fleet.device_by_token[target.device_token].active_assignments[0].id
    assert len(floor_targets(fleet, COMMAND, limit=5)) == 5


def test_each_target_gets_its_two_calls_once(simulator: FleetSimulator, fleet: Fleet) -> None:
    targets = floor_targets(fleet, COMMAND, limit=40)
    floor = measure_call_floor(simulator.address, targets, COMMAND, threads=4)

    assert floor is not None
    assert floor["elements"] == len(targets) and floor["threads"] == 4
    assert floor["calls_per_element"] == CALLS_PER_ELEMENT
    assert floor["cpu_us_per_element"] > 0
    assert floor["cpu_us_per_call"] == floor["cpu_us_per_element"] / CALLS_PER_ELEMENT
    # Every target once, plus the first one again: the call that dials the channel untimed.
    invoked = Counter(invocation.device_token for invocation in simulator.invocations(FLOOR_TENANT))
    expected = Counter(target.device_token for target in targets)
    expected[targets[0].device_token] += 1
    assert invoked == expected
    assert simulator.calls("GetDeviceByToken") == len(targets) + 1
    assert {i.request.command_token for i in simulator.invocations(FLOOR_TENANT)} == {COMMAND}


def test_no_targets_no_floor() -> None:
    assert measure_call_floor("127.0.0.1:1", [], COMMAND) is None


def test_a_floor_that_fails_is_an_error_not_an_exception(fleet: Fleet) -> None:
    """Nothing listens there: the run the floor follows must keep its own figures."""
    floor = try_call_floor("127.0.0.1:1", floor_targets(fleet, COMMAND, limit=3), COMMAND, threads=1)
    assert floor is not None and set(floor) == {"error"}
    assert "ServiceUnavailable" in floor["error"] and "GetDeviceByToken" in floor["error"]
