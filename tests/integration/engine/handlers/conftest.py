"""The command-invocation handler against a fleet simulator (real gRPC, no Kafka or Mongo)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchops.clients import ClientSettings, ServiceClients, connect
from batchops.simulator import Fleet, FleetSimulator


@pytest.fixture(scope="session")
def handler_fleet() -> Fleet:
    return Fleet.generate(23, 800)


@pytest.fixture(scope="module")
def running_simulator(handler_fleet: Fleet) -> Iterator[FleetSimulator]:
    with FleetSimulator(handler_fleet, "127.0.0.1", 0, fault_seed=23) as simulator:
        yield simulator


@pytest.fixture
def simulator(running_simulator: FleetSimulator) -> Iterator[FleetSimulator]:
    running_simulator.reset()
    yield running_simulator
    running_simulator.reset()


@pytest.fixture
def clients(simulator: FleetSimulator) -> Iterator[ServiceClients]:
    settings = ClientSettings(
        device_management_address=simulator.address,
        event_management_address=simulator.address,
        deadline_seconds=2.0,
        max_attempts=3,
        initial_backoff_seconds=0.01,
        max_backoff_seconds=0.05,
    )
    with connect(settings) as clients:
        yield clients
