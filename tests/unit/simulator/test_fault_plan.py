from __future__ import annotations

import pytest

from batchops.simulator import Fault, FaultPlan, FaultSettings


def test_no_faults_by_default() -> None:
    plan = FaultPlan(seed=1)
    decisions = [plan.decide("GetDevice") for _ in range(100)]
    assert all(d.fault is None and d.delay_seconds == 0 for d in decisions)


def test_scripted_faults_come_first_and_respect_the_method() -> None:
    plan = FaultPlan(seed=1)
    plan.fail_next(2, Fault.UNAVAILABLE, method="AddCommandInvocations")
    plan.fail_next(1, Fault.TIMEOUT)
    assert plan.decide("GetDevice").fault is Fault.TIMEOUT  # the unfiltered one
    assert plan.decide("GetDevice").fault is None
    assert plan.decide("AddCommandInvocations").fault is Fault.UNAVAILABLE
    assert plan.decide("AddCommandInvocations").fault is Fault.UNAVAILABLE
    assert plan.decide("AddCommandInvocations").fault is None


def test_rates_and_latency() -> None:
    plan = FaultPlan(FaultSettings(latency_ms=20, jitter_ms=10, unavailable_rate=1.0), seed=2)
    decision = plan.decide("X")
    assert decision.fault is Fault.UNAVAILABLE
    assert 0.020 <= decision.delay_seconds <= 0.030
    plan.configure(unavailable_rate=0.0, timeout_rate=1.0)
    assert plan.decide("X").fault is Fault.TIMEOUT
    assert plan.settings.latency_ms == 20  # untouched knobs keep their value


def test_rates_are_roughly_honoured() -> None:
    plan = FaultPlan(FaultSettings(unavailable_rate=0.3), seed=3)
    failures = sum(plan.decide("X").fault is Fault.UNAVAILABLE for _ in range(2000))
    assert 500 < failures < 700


def test_clear_resets_everything() -> None:
    plan = FaultPlan(FaultSettings(unavailable_rate=1.0))
    plan.fail_next(3)
    plan.clear()
    assert plan.decide("X").fault is None


@pytest.mark.parametrize("kwargs", [{"unavailable_rate": 1.5}, {"timeout_rate": -0.1}, {"latency_ms": -1}])
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FaultSettings(**kwargs)
