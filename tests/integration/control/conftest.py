"""Operator control end to end: the service (static tenant engines on real Kafka and MongoDB, or
the real `batchops serve` process) working command invocations against a fleet simulator with
latency and injected failures, while operators pause, resume, cancel and retry."""

from __future__ import annotations

import pytest

from support.simulator import FleetSpec

# Big enough for the 2,000 devices the largest tests need that take the "ping" command (the fleet
# has others too).
FLEET = FleetSpec(seed=31, size=6000, max_workers=96)


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FLEET
