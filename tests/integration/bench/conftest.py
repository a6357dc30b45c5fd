"""The fleet the bench's simulator-backed pieces are tested on (see ``support.simulator``)."""

from __future__ import annotations

import pytest

from support.simulator import FleetSpec


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FleetSpec(seed=15, size=200)
