"""A fleet simulator on a port picked by the OS, and clients pointed at it (no Kafka or Mongo)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from batchops.clients import ClientSettings, ServiceClients, connect
from batchops.simulator import FleetSimulator
from support.simulator import FleetSpec, client_settings_for

FLEET = FleetSpec(seed=11, size=1200)


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FLEET


@pytest.fixture
def client_settings(simulator: FleetSimulator) -> ClientSettings:
    return client_settings_for(simulator, max_attempts=4)


@pytest.fixture
def clients(client_settings: ClientSettings) -> Iterator[ServiceClients]:
    with connect(client_settings) as clients:
        yield clients
