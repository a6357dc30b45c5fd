"""The client CPU floor of a command invocation element: the two unary calls SiteWhere's protocol
makes it take, on their own.

An invocation element needs ``GetDeviceByToken`` (the API has no bulk lookup of devices by token:
``ListDeviceAssignments`` answers with device ids) and one ``AddCommandInvocations`` per targeted
assignment. This makes exactly those calls, through the service's own clients, against the same
simulator, from as many threads as the service's handler slots, at full speed: the pace at which
gRPC's Python client costs least per call. What the service spends per invocation element beyond
this is batchops' own work (the no-op path's claims and outcome writes, the batch's assignment
lookup, the handler); the floor itself is gRPC's.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from batchops.clients.factory import ServiceClients, connect
from batchops.clients.settings import ClientSettings
from batchops.config.tenant import TenantConfiguration
from batchops.domain import META_BATCH_OPERATION_TOKEN
from batchops.simulator import Fleet

# Elements timed: a few seconds at full speed, enough for steady CPU times.
FLOOR_ELEMENTS = 3000
# As many threads as the service's default handler slots.
FLOOR_THREADS: int = TenantConfiguration.model_fields["processing_concurrency"].default
FLOOR_TENANT = "bench-floor"
CALLS_PER_ELEMENT = 2


@dataclass(frozen=True)
class FloorTarget:
    """A device the invocation handler would invoke on: one that has an active assignment of a
    device type that has the command."""

    device_token: str
    assignment_id: uuid.UUID
    assignment_token: str


def floor_targets(fleet: Fleet, command_token: str, limit: int = FLOOR_ELEMENTS) -> list[FloorTarget]:
    targets: list[FloorTarget] = []
    for device in fleet.devices:
        if len(targets) >= limit:
            break
        active = device.active_assignments
        if active and (device.device_type_id, command_token) in fleet.command_by_type_and_token:
            targets.append(FloorTarget(device.token, active[0].id, active[0].token))
    return targets


def _invoke(clients: ServiceClients, target: FloorTarget, command_token: str) -> None:
    """The handler's two calls for one element, with what it sends."""
    device = clients.device_management.get_device_by_token(target.device_token, tenant_id=FLOOR_TENANT)
    if device is None:
        raise RuntimeError(f"the simulator does not know device '{target.device_token}'")
    clients.event_management.add_command_invocation(
        target.assignment_id,
        command_token=command_token,
        initiator_id="bench-call-floor",
        target_id=target.assignment_token,
        parameter_values={},
        metadata={META_BATCH_OPERATION_TOKEN: "bench-call-floor"},
        tenant_id=FLOOR_TENANT,
    )


def measure_call_floor(
    address: str, targets: Sequence[FloorTarget], command_token: str, threads: int = FLOOR_THREADS
) -> dict[str, Any] | None:
    """Client CPU (this process: every thread, gRPC's own included) per element and per call, the
    two calls of every target made once; None without targets."""
    if not targets:
        return None
    settings = ClientSettings(device_management_address=address, event_management_address=address)
    with connect(settings) as clients:
        _invoke(clients, targets[0], command_token)  # dials the channel before the clock starts
        shares = [targets[index::threads] for index in range(threads)]

        def run(share: Sequence[FloorTarget]) -> None:
            for target in share:
                _invoke(clients, target, command_token)

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="call-floor") as pool:
            cpu_before, wall_before = time.process_time(), time.monotonic()
            list(pool.map(run, shares))
            cpu, wall = time.process_time() - cpu_before, time.monotonic() - wall_before
    elements = len(targets)
    return {
        "elements": elements,
        "threads": threads,
        "calls_per_element": CALLS_PER_ELEMENT,
        "seconds": wall,
        "calls_per_s": elements * CALLS_PER_ELEMENT / wall if wall > 0 else None,
        "cpu_us_per_element": cpu / elements * 1e6,
        "cpu_us_per_call": cpu / (elements * CALLS_PER_ELEMENT) * 1e6,
        "measured": "the bench process's CPU times while its threads made the calls at full speed",
    }


def try_call_floor(
    address: str, targets: Sequence[FloorTarget], command_token: str, threads: int = FLOOR_THREADS
) -> dict[str, Any] | None:
    """``measure_call_floor``, or what stopped it (``error``): the run it follows keeps its own
    figures either way."""
    try:
        return measure_call_floor(address, targets, command_token, threads)
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
