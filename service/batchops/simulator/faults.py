"""Latency and errors the simulator injects, changeable while it runs (thread-safe)."""

from __future__ import annotations

import random
import threading
from collections import deque
from dataclasses import dataclass, replace
from enum import Enum


class Fault(Enum):
    UNAVAILABLE = "unavailable"
    TIMEOUT = "timeout"  # answer only after the caller's deadline has passed


@dataclass(frozen=True)
class FaultSettings:
    latency_ms: float = 0.0
    jitter_ms: float = 0.0  # extra latency drawn uniformly from [0, jitter_ms]
    unavailable_rate: float = 0.0
    timeout_rate: float = 0.0

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency and jitter must not be negative")
        for rate in (self.unavailable_rate, self.timeout_rate):
            if not 0 <= rate <= 1:
                raise ValueError(f"rates lie in [0, 1], got {rate}")


@dataclass(frozen=True)
class Decision:
    delay_seconds: float
    fault: Fault | None


class FaultPlan:
    """Decides, per call, how long to wait and whether to fail. Scripted faults (``fail_next``)
    come first, so tests can be exact; rates are for benchmarks and soak runs."""

    def __init__(self, settings: FaultSettings | None = None, seed: int | None = None) -> None:
        self._settings = settings or FaultSettings()
        self._rng = random.Random(seed)
        self._scripted: deque[tuple[Fault, str | None]] = deque()
        self._refused: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    @property
    def settings(self) -> FaultSettings:
        with self._lock:
            return self._settings

    def configure(
        self,
        *,
        latency_ms: float | None = None,
        jitter_ms: float | None = None,
        unavailable_rate: float | None = None,
        timeout_rate: float | None = None,
    ) -> FaultSettings:
        """Change the given knobs, keep the others; returns the new settings."""
        changes = {
            key: value
            for key, value in {
                "latency_ms": latency_ms,
                "jitter_ms": jitter_ms,
                "unavailable_rate": unavailable_rate,
                "timeout_rate": timeout_rate,
            }.items()
            if value is not None
        }
        with self._lock:
            self._settings = replace(self._settings, **changes)
            return self._settings

    def fail_next(self, count: int, fault: Fault = Fault.UNAVAILABLE, method: str | None = None) -> None:
        """Fail the next ``count`` calls (of ``method`` only, when given) with ``fault``."""
        with self._lock:
            self._scripted.extend([(fault, method)] * count)

    def clear(self) -> None:
        with self._lock:
            self._scripted.clear()
            self._settings = FaultSettings()
            self._refused = frozenset()

    def refuse_invocations(self, device_tokens: frozenset[str]) -> None:
        """Command invocations for these devices are refused (FAILED_PRECONDITION: an element
        failure, not an outage) until cleared; an empty set refuses none."""
        with self._lock:
            self._refused = frozenset(device_tokens)

    def refuses(self, device_token: str) -> bool:
        with self._lock:
            return device_token in self._refused

    def decide(self, method: str) -> Decision:
        with self._lock:
            settings = self._settings
            delay = settings.latency_ms + (
                self._rng.uniform(0, settings.jitter_ms) if settings.jitter_ms else 0
            )
            for index, (fault, only) in enumerate(self._scripted):
                if only is None or only == method:
                    del self._scripted[index]
                    return Decision(delay / 1000, fault)
            draw = self._rng.random()
            if draw < settings.unavailable_rate:
                return Decision(delay / 1000, Fault.UNAVAILABLE)
            if draw < settings.unavailable_rate + settings.timeout_rate:
                return Decision(delay / 1000, Fault.TIMEOUT)
            return Decision(delay / 1000, None)
