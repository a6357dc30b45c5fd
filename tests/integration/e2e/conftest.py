"""End to end: the service (static tenant engines on real Kafka and MongoDB servers) driving a
fleet simulator that plays SiteWhere's device and event management."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchops.simulator import Fleet, FleetSimulator

FLEET_SEED = 23
FLEET_SIZE = 2000


@pytest.fixture(scope="session")
def fleet() -> Fleet:
    return Fleet.generate(FLEET_SEED, FLEET_SIZE)


@pytest.fixture(scope="module")
def running_simulator(fleet: Fleet) -> Iterator[FleetSimulator]:
    with FleetSimulator(fleet, "127.0.0.1", 0, fault_seed=FLEET_SEED, max_workers=64) as simulator:
        yield simulator


@pytest.fixture
def simulator(running_simulator: FleetSimulator) -> Iterator[FleetSimulator]:
    """Shared by a module's tests; faults and records are cleared around each test."""
    running_simulator.reset()
    yield running_simulator
    running_simulator.reset()
