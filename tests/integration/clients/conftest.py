"""A fleet simulator on a port picked by the OS, and clients pointed at it (no Kafka or Mongo)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchops.clients import ClientSettings, ServiceClients, connect
from batchops.simulator import Fleet, FleetSimulator

FLEET_SEED = 11
FLEET_SIZE = 1200


@pytest.fixture(scope="session")
def fleet() -> Fleet:
    return Fleet.generate(FLEET_SEED, FLEET_SIZE)


@pytest.fixture(scope="module")
def running_simulator(fleet: Fleet) -> Iterator[FleetSimulator]:
    with FleetSimulator(fleet, "127.0.0.1", 0, fault_seed=FLEET_SEED) as simulator:
        yield simulator


@pytest.fixture
def simulator(running_simulator: FleetSimulator) -> Iterator[FleetSimulator]:
    running_simulator.reset()
    yield running_simulator
    running_simulator.reset()


@pytest.fixture
def client_settings(simulator: FleetSimulator) -> ClientSettings:
    return ClientSettings(
        device_management_address=simulator.address,
        event_management_address=simulator.address,
        deadline_seconds=2.0,
        max_attempts=4,
        initial_backoff_seconds=0.01,
        max_backoff_seconds=0.05,
    )


@pytest.fixture
def clients(client_settings: ClientSettings) -> Iterator[ServiceClients]:
    with connect(client_settings) as clients:
        yield clients


@pytest.fixture
def tenant(unique_name: str) -> str:
    return unique_name
