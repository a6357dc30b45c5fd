"""End to end: the service (static tenant engines on real Kafka and MongoDB servers) driving a
fleet simulator that plays SiteWhere's device and event management."""

from __future__ import annotations

import pytest

from support.simulator import FleetSpec

FLEET = FleetSpec(seed=23, size=2000, max_workers=64)


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FLEET
