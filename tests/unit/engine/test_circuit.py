"""The tenant's circuit breakers on a fake clock: closed -> open on an unavailability, no call
while open, exactly one probe after the backoff (1 s doubling to 30 s), the probe's answer closes,
its failure re-opens with the next pause; late reports of the same outage change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from batchops.engine.circuit import (
    CIRCUIT_BACKOFF,
    Admission,
    CircuitState,
    TenantCircuits,
    Transition,
)

DM, EM = "device-management", "event-management"
START = datetime(2026, 1, 2, 12, 0, 3, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return START + timedelta(seconds=self.now - 100.0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def circuits(clock: Clock) -> TenantCircuits:
    return TenantCircuits(clock=clock, wall=clock.wall)


def test_closed_circuits_let_every_call_through(circuits: TenantCircuits) -> None:
    assert [circuits.admit() for _ in range(3)] == [Admission.GO] * 3
    circuits.answered(probe=False)
    assert circuits.closed and circuits.state(DM) is CircuitState.CLOSED
    assert circuits.seconds_until_probe() == 0 and circuits.waiting_on() == ""


def test_an_unavailability_opens_and_nothing_starts_until_the_first_probe(
    circuits: TenantCircuits, clock: Clock
) -> None:
    circuits.unavailable(DM, probe=False)
    assert circuits.state(DM) is CircuitState.OPEN and not circuits.closed
    assert circuits.admit() is Admission.WAIT
    assert circuits.seconds_until_probe() == pytest.approx(1.0)
    clock.now += 0.99
    assert circuits.admit() is Admission.WAIT
    clock.now += 0.01
    assert circuits.admit() is Admission.PROBE  # exactly one
    assert circuits.state(DM) is CircuitState.HALF_OPEN
    assert [circuits.admit() for _ in range(3)] == [Admission.WAIT] * 3


def test_the_probes_answer_closes(circuits: TenantCircuits, clock: Clock) -> None:
    circuits.unavailable(DM, probe=False)
    clock.now += 1
    assert circuits.admit() is Admission.PROBE
    circuits.answered(probe=True)
    assert circuits.closed and circuits.admit() is Admission.GO
    # A later outage starts again at the first pause.
    circuits.unavailable(DM, probe=False)
    assert circuits.seconds_until_probe() == pytest.approx(1.0)


def test_failed_probes_back_off_exponentially_up_to_30_s(circuits: TenantCircuits, clock: Clock) -> None:
    circuits.unavailable(DM, probe=False)
    pauses = [circuits.seconds_until_probe()]
    for _ in range(7):
        clock.now += pauses[-1]
        assert circuits.admit() is Admission.PROBE
        circuits.unavailable(DM, probe=True)
        assert circuits.state(DM) is CircuitState.OPEN
        pauses.append(circuits.seconds_until_probe())
    assert pauses == pytest.approx([1, 2, 4, 8, 16, 30, 30, 30])
    assert CIRCUIT_BACKOFF.initial == 1.0 and CIRCUIT_BACKOFF.maximum == 30.0


def test_late_reports_of_calls_started_before_the_opening_change_nothing(
    circuits: TenantCircuits, clock: Clock
) -> None:
    circuits.unavailable(DM, probe=False)
    clock.now += 0.5
    circuits.unavailable(DM, probe=False)  # another call of the same outage
    circuits.answered(probe=False)  # a call that got through before: no probe, still open
    assert circuits.state(DM) is CircuitState.OPEN
    assert circuits.seconds_until_probe() == pytest.approx(0.5)  # the pause was not restarted
    clock.now += 0.5
    assert circuits.admit() is Admission.PROBE
    circuits.unavailable(DM, probe=False)  # a straggler while the probe runs
    assert circuits.state(DM) is CircuitState.HALF_OPEN
    circuits.answered(probe=True)
    assert circuits.closed


def test_one_open_dependency_holds_every_call_and_one_probe_tests_both(
    circuits: TenantCircuits, clock: Clock
) -> None:
    circuits.unavailable(DM, probe=False)
    clock.now += 0.5
    circuits.unavailable(EM, probe=False)
    clock.now += 0.5
    assert circuits.admit() is Admission.WAIT  # event management's pause is not over
    clock.now += 0.5
    assert circuits.admit() is Admission.PROBE
    assert (circuits.state(DM), circuits.state(EM)) == (CircuitState.HALF_OPEN, CircuitState.HALF_OPEN)
    circuits.unavailable(EM, probe=True)  # re-opens both (the probe could not tell about DM)
    assert (circuits.state(DM), circuits.state(EM)) == (CircuitState.OPEN, CircuitState.OPEN)
    clock.now += circuits.seconds_until_probe()
    assert circuits.admit() is Admission.PROBE
    circuits.answered(probe=True)
    assert circuits.closed


def test_a_lost_probe_reopens_with_a_probe_due_at_once(circuits: TenantCircuits, clock: Clock) -> None:
    circuits.unavailable(DM, probe=False)
    clock.now += 1
    assert circuits.admit() is Admission.PROBE
    circuits.probe_lost()
    assert circuits.state(DM) is CircuitState.OPEN
    assert circuits.admit() is Admission.PROBE


def test_listeners_hear_each_state_change_once(circuits: TenantCircuits, clock: Clock) -> None:
    heard: list[Transition] = []
    circuits.listen(heard.append)
    circuits.unavailable(DM, probe=False)
    circuits.unavailable(DM, probe=False)
    clock.now += 1
    circuits.admit()
    circuits.unavailable(DM, probe=True)
    clock.now += 2
    circuits.admit()
    circuits.answered(probe=True)
    assert [(t.old, t.new) for t in heard] == [
        (CircuitState.CLOSED, CircuitState.OPEN),
        (CircuitState.OPEN, CircuitState.HALF_OPEN),
        (CircuitState.HALF_OPEN, CircuitState.OPEN),
        (CircuitState.OPEN, CircuitState.HALF_OPEN),
        (CircuitState.HALF_OPEN, CircuitState.CLOSED),
    ]
    assert heard[2].next_probe_in == pytest.approx(2.0)
    assert heard[-1].outage_seconds == pytest.approx(3.0) and heard[-1].opened_at == START
    assert {t.dependency for t in heard} == {DM}


def test_waiting_on_says_what_and_since_when(circuits: TenantCircuits, clock: Clock) -> None:
    circuits.unavailable(DM, probe=False)
    for _ in range(3):  # three failed probes: the next pause is 8 s
        clock.now += circuits.seconds_until_probe()
        circuits.admit()
        circuits.unavailable(DM, probe=True)
    assert circuits.waiting_on() == (
        "device-management unavailable (circuit open since 12:00:03Z, next probe in 8 s at 12:00:18Z)"
    )
    clock.now += 8
    circuits.admit()
    assert circuits.waiting_on() == "device-management unavailable (circuit open since 12:00:03Z, probing)"
    circuits.answered(probe=True)
    assert circuits.waiting_on() == ""
