"""The command-invocation handler against a fleet simulator (real gRPC, no Kafka or Mongo)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchops.clients import ServiceClients, connect
from batchops.simulator import Fleet, FleetSimulator
from support.simulator import FleetSpec, client_settings_for

FLEET = FleetSpec(seed=23, size=800)


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FLEET


@pytest.fixture(scope="module")
def handler_fleet(fleet: Fleet) -> Fleet:
    """The handler tests' name for this folder's fleet."""
    return fleet


@pytest.fixture
def clients(simulator: FleetSimulator) -> Iterator[ServiceClients]:
    with connect(client_settings_for(simulator, max_attempts=3)) as clients:
        yield clients
