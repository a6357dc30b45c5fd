"""Circuit breakers of one tenant, one per dependency (device-management, event-management, or
whatever a handler names in ``DependencyUnavailable``). Pure logic on an injectable clock: the
processor asks before each handler call and reports what came of it (``batchops.engine.outages``).

- **closed**: calls start freely. A call that finds the dependency unavailable opens it.
- **open**: no call starts until the next probe is due, ``CIRCUIT_BACKOFF`` after the opening
  (1 s, doubling with each failed probe, at most 30 s). Late reports of calls that started
  before the opening change nothing (the same outage).
- **half-open**: exactly one call (the probe) goes through. An answer closes every half-open
  circuit; another unavailability opens them again with the next, longer pause. A probe whose
  result never comes (``probe_lost``) leaves them open with a probe due at once.

While any circuit is open or half-open the tenant starts no other call: the processor cannot
know beforehand which dependency an element will need.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum, IntEnum
from typing import Final

from batchops.retry import Backoff

# Between the opening and the first probe, and between failed probes: 1 s doubling to 30 s.
CIRCUIT_BACKOFF: Final = Backoff(initial=1.0, maximum=30.0)


class CircuitState(IntEnum):
    """Values as exported by ``batchops_dependency_circuit_state``."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


class Admission(Enum):
    GO = "go"  # every circuit is closed
    PROBE = "probe"  # this call is the one probe of the half-open circuits
    WAIT = "wait"  # a circuit is open (or its probe is under way): start nothing


@dataclass(frozen=True)
class Transition:
    """One state change of one dependency's circuit."""

    dependency: str
    old: CircuitState
    new: CircuitState
    opened_at: datetime  # when the outage began (its first opening)
    outage_seconds: float  # since then
    next_probe_in: float  # seconds (0 unless the new state is open)


_NEVER: Final = datetime.min.replace(tzinfo=UTC)


@dataclass
class _Circuit:
    state: CircuitState = CircuitState.CLOSED
    failures: int = 0  # openings in a row (sets the pause before the next probe)
    opened_at: float = 0.0  # clock
    opened_wall: datetime = _NEVER
    next_probe: float = 0.0  # clock


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TenantCircuits:
    def __init__(
        self,
        backoff: Backoff = CIRCUIT_BACKOFF,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._backoff = backoff
        self._clock = clock
        self._wall = wall
        self._circuits: dict[str, _Circuit] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Transition], None]] = []

    def listen(self, listener: Callable[[Transition], None]) -> None:
        """Have ``listener`` called after every state change (outside the lock)."""
        self._listeners.append(listener)

    # ---- asking and reporting ---------------------------------------------------------------

    def admit(self) -> Admission:
        """May a handler call start now? PROBE hands out the one probe (the circuits go half-open)."""
        with self._lock:
            troubled = [(d, c) for d, c in self._circuits.items() if c.state is not CircuitState.CLOSED]
            if not troubled:
                return Admission.GO
            now = self._clock()
            if any(c.state is CircuitState.HALF_OPEN or c.next_probe > now for _, c in troubled):
                return Admission.WAIT
            changes = [self._move(d, c, CircuitState.HALF_OPEN, now) for d, c in troubled]
        self._notify(changes)
        return Admission.PROBE

    def unavailable(self, dependency: str, *, probe: bool) -> None:
        """A call found ``dependency`` unavailable. A probe's failure re-opens every half-open
        circuit with a longer pause; any other call's opens a closed circuit (first pause)."""
        with self._lock:
            now = self._clock()
            if probe:
                circuit = self._circuits.setdefault(dependency, _Circuit())
                if circuit.state is CircuitState.CLOSED:  # a dependency the probe met first
                    circuit.failures = 0
                    circuit.state = CircuitState.HALF_OPEN
                    circuit.opened_at, circuit.opened_wall = now, self._wall()
                changes = [
                    self._open(d, c, now)
                    for d, c in self._circuits.items()
                    if c.state is CircuitState.HALF_OPEN
                ]
            else:
                circuit = self._circuits.setdefault(dependency, _Circuit())
                if circuit.state is not CircuitState.CLOSED:
                    return  # a call from before the opening: the same outage
                circuit.failures = 0
                circuit.opened_at, circuit.opened_wall = now, self._wall()
                changes = [self._open(dependency, circuit, now)]
        self._notify(changes)

    def answered(self, *, probe: bool) -> None:
        """A call came back with an answer (success or a final failure). The probe's answer
        closes every half-open circuit; other calls' answers change nothing."""
        if not probe:
            return
        with self._lock:
            now = self._clock()
            changes = [
                self._move(d, c, CircuitState.CLOSED, now)
                for d, c in self._circuits.items()
                if c.state is CircuitState.HALF_OPEN
            ]
            for _, circuit in self._circuits.items():
                if circuit.state is CircuitState.CLOSED:
                    circuit.failures = 0
        self._notify(changes)

    def probe_lost(self) -> None:
        """The probe's result will never be reported (its batch failed): open again, with a
        probe due at once, so the circuits cannot stay half-open for ever."""
        with self._lock:
            now = self._clock()
            changes = []
            for dependency, circuit in self._circuits.items():
                if circuit.state is CircuitState.HALF_OPEN:
                    changes.append(self._move(dependency, circuit, CircuitState.OPEN, now))
                    circuit.next_probe = now
        self._notify(changes)

    # ---- reading ----------------------------------------------------------------------------

    def state(self, dependency: str) -> CircuitState:
        with self._lock:
            circuit = self._circuits.get(dependency)
            return circuit.state if circuit is not None else CircuitState.CLOSED

    @property
    def closed(self) -> bool:
        with self._lock:
            return all(c.state is CircuitState.CLOSED for c in self._circuits.values())

    def seconds_until_probe(self) -> float:
        """0 when a call may start (all closed, or a probe is due); else how long until then."""
        with self._lock:
            now = self._clock()
            return max(
                (c.next_probe - now for c in self._circuits.values() if c.state is CircuitState.OPEN),
                default=0.0,
            )

    def waiting_on(self) -> str:
        """What processing waits for, e.g. ``device-management unavailable (circuit open since
        12:00:03Z, next probe in 8 s)``; empty when every circuit is closed."""
        with self._lock:
            now = self._clock()
            parts = []
            for dependency, c in sorted(self._circuits.items()):
                if c.state is CircuitState.CLOSED:
                    continue
                since = c.opened_wall.strftime("%H:%M:%SZ")
                if c.state is CircuitState.HALF_OPEN:
                    parts.append(f"{dependency} unavailable (circuit open since {since}, probing)")
                else:
                    due = max(c.next_probe - now, 0.0)
                    at = (self._wall() + timedelta(seconds=due)).strftime("%H:%M:%SZ")
                    parts.append(
                        f"{dependency} unavailable (circuit open since {since}, "
                        f"next probe in {due:.0f} s at {at})"
                    )
            return "; ".join(parts)

    # ---- internals (under the lock) ---------------------------------------------------------

    def _open(self, dependency: str, circuit: _Circuit, now: float) -> Transition:
        circuit.failures += 1
        circuit.next_probe = now + self._backoff.pause(circuit.failures)
        return self._move(dependency, circuit, CircuitState.OPEN, now)

    @staticmethod
    def _move(dependency: str, circuit: _Circuit, new: CircuitState, now: float) -> Transition:
        old, circuit.state = circuit.state, new
        return Transition(
            dependency=dependency,
            old=old,
            new=new,
            opened_at=circuit.opened_wall,
            outage_seconds=now - circuit.opened_at,
            next_probe_in=max(circuit.next_probe - now, 0.0) if new is CircuitState.OPEN else 0.0,
        )

    def _notify(self, changes: list[Transition]) -> None:
        for change in changes:
            for listener in self._listeners:
                listener(change)
