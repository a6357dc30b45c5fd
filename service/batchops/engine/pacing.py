"""Pacing of element work: SiteWhere's per-element ``throttleDelayMs`` and our rate limit
(elements per second), whichever is slower, shared by every thread of one engine stage."""

from __future__ import annotations

import threading
import time


class Pacer:
    def __init__(self, throttle_delay_ms: int = 0, rate_per_second: float = 0.0) -> None:
        by_rate = 1.0 / rate_per_second if rate_per_second > 0 else 0.0
        self.interval = max(throttle_delay_ms / 1000.0, by_rate)
        self._next = time.monotonic()
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self.interval > 0

    def acquire(self, count: int = 1, stop: threading.Event | None = None) -> float:
        """Block until ``count`` more elements may go; returns the seconds waited."""
        if self.interval <= 0 or count <= 0:
            return 0.0
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + count * self.interval
        # The first element of the slot may go at ``start``; the slot then covers ``count``.
        wait = start - now
        if wait > 0:
            if stop is not None:
                stop.wait(wait)
            else:
                time.sleep(wait)
        return max(wait, 0.0)
