"""A recording test double of our own tenant engine (not of ZooKeeper).

It records every start and stop, fails starts on demand, and flags overlapping calls for one tenant
or a second engine started while one runs.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from batchops.tenants import TenantConfiguration


@dataclass(frozen=True)
class EngineCall:
    action: str  # "start", "start-failed" or "stop"
    tenant_id: str
    config: TenantConfiguration
    engine_id: int
    at: float  # time.monotonic()


class RecordingEngine:
    def __init__(
        self, factory: RecordingFactory, tenant_id: str, config: TenantConfiguration, engine_id: int
    ):
        self.factory = factory
        self.tenant_id = tenant_id
        self.config = config
        self.engine_id = engine_id
        self.running = False

    def start(self) -> None:
        self.factory.enter(self)
        try:
            if self.factory.take_failure(self.tenant_id):
                self.factory.record("start-failed", self)
                raise RuntimeError("broker unavailable (injected)")
            if self.factory.running(self.tenant_id):
                self.factory.violations.append(f"{self.tenant_id}: second engine started while one runs")
            self.running = True
            self.factory.record("start", self)
        finally:
            self.factory.leave(self)

    def stop(self) -> None:
        if self.factory.stop_hook is not None:
            self.factory.stop_hook()
        self.factory.enter(self)
        try:
            self.running = False
            self.factory.record("stop", self)
        finally:
            self.factory.leave(self)


class RecordingFactory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.calls: list[EngineCall] = []
        self.engines: list[RecordingEngine] = []
        self.violations: list[str] = []
        self._failures: dict[str, int] = {}
        self._busy: set[str] = set()
        self.stop_hook: Callable[[], object] | None = None

    def __call__(self, tenant_id: str, config: TenantConfiguration) -> RecordingEngine:
        engine = RecordingEngine(self, tenant_id, config, next(self._ids))
        with self._lock:
            self.engines.append(engine)
        return engine

    def fail_next_starts(self, tenant_id: str, count: int) -> None:
        with self._lock:
            self._failures[tenant_id] = count

    def take_failure(self, tenant_id: str) -> bool:
        with self._lock:
            left = self._failures.get(tenant_id, 0)
            if left:
                self._failures[tenant_id] = left - 1
            return left > 0

    def enter(self, engine: RecordingEngine) -> None:
        with self._lock:
            if engine.tenant_id in self._busy:
                self.violations.append(f"{engine.tenant_id}: start/stop calls interleaved")
            self._busy.add(engine.tenant_id)

    def leave(self, engine: RecordingEngine) -> None:
        with self._lock:
            self._busy.discard(engine.tenant_id)

    def record(self, action: str, engine: RecordingEngine) -> None:
        with self._lock:
            self.calls.append(
                EngineCall(action, engine.tenant_id, engine.config, engine.engine_id, time.monotonic())
            )

    def of(self, tenant_id: str, action: str) -> list[EngineCall]:
        with self._lock:
            return [call for call in self.calls if call.tenant_id == tenant_id and call.action == action]

    def running(self, tenant_id: str) -> list[RecordingEngine]:
        with self._lock:
            return [engine for engine in self.engines if engine.tenant_id == tenant_id and engine.running]

    def running_config(self, tenant_id: str) -> TenantConfiguration | None:
        running = self.running(tenant_id)
        return running[0].config if len(running) == 1 else None
