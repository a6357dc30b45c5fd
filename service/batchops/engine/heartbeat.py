"""Progress heartbeats: long work (a throttled chunk, a slow batch) touches its operation every
few seconds, so recovery can tell slow-but-alive work from work a crash abandoned."""

from __future__ import annotations

import threading
import time
import uuid

from batchops.engine.ports import WorkPort


class Heartbeat:
    def __init__(self, work: WorkPort, interval: float = 10.0) -> None:
        self._work = work
        self._interval = interval
        self._last: dict[uuid.UUID, float] = {}
        self._lock = threading.Lock()
        self._last_activity = time.monotonic()

    def beat(self, operation_id: uuid.UUID) -> None:
        now = time.monotonic()
        # Every handler call beats: the common case (beaten recently) takes no lock. One store
        # and one dict read are atomic here; a beat racing another only costs a touch.
        self._last_activity = now
        if now - self._last.get(operation_id, 0.0) < self._interval:
            return
        with self._lock:
            if now - self._last.get(operation_id, 0.0) < self._interval:
                return
            self._last[operation_id] = now
            if len(self._last) > 10_000:  # forget old operations; a missed beat only costs a touch
                self._last.clear()
        self._work.operations.progress(operation_id)

    def activity(self) -> None:
        with self._lock:
            self._last_activity = time.monotonic()

    def idle_seconds(self) -> float:
        with self._lock:
            return time.monotonic() - self._last_activity
