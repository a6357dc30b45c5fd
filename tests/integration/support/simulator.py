"""Fleet-simulator fixtures, defined once (a pytest plugin listed in ``tests/conftest.py``), and
clients pointed at a simulator.

A folder whose tests use ``fleet`` or ``simulator`` names its fleet in its conftest by overriding
``fleet_spec`` (the folders differ in seed, size and simulator worker threads). The fleet is generated
once per spec; the simulator serves it once per module on a port picked by the OS, and its faults and
records are cleared around each test.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from batchops.clients import ClientSettings
from batchops.simulator import Fleet, FleetSimulator


@dataclass(frozen=True)
class FleetSpec:
    seed: int  # generates the fleet and seeds the simulator's injected faults
    size: int
    max_workers: int = 32  # the simulator's gRPC worker threads (FleetSimulator's default)


@functools.cache
def generated_fleet(seed: int, size: int) -> Fleet:
    """The fleet of a seed and size, generated once per test session."""
    return Fleet.generate(seed, size)


def client_settings_for(simulator: FleetSimulator, *, max_attempts: int) -> ClientSettings:
    """Device and event management clients on the simulator, with short deadlines and backoffs."""
    return ClientSettings(
        device_management_address=simulator.address,
        event_management_address=simulator.address,
        deadline_seconds=2.0,
        max_attempts=max_attempts,
        initial_backoff_seconds=0.01,
        max_backoff_seconds=0.05,
    )


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    raise pytest.UsageError("this folder's conftest must name its fleet: override the fleet_spec fixture")


@pytest.fixture(scope="module")
def fleet(fleet_spec: FleetSpec) -> Fleet:
    # Module scope so that each folder gets its own spec's fleet; the generation itself is cached.
    return generated_fleet(fleet_spec.seed, fleet_spec.size)


@pytest.fixture(scope="module")
def running_simulator(fleet: Fleet, fleet_spec: FleetSpec) -> Iterator[FleetSimulator]:
    with FleetSimulator(
        fleet, "127.0.0.1", 0, fault_seed=fleet_spec.seed, max_workers=fleet_spec.max_workers
    ) as simulator:
        yield simulator


@pytest.fixture
def simulator(running_simulator: FleetSimulator) -> Iterator[FleetSimulator]:
    """Shared by a module's tests; faults and records are cleared around each test."""
    running_simulator.reset()
    yield running_simulator
    running_simulator.reset()
