"""Run a handler per key on a shared thread pool: one run per key at a time, requests coalesced.

Tenants' engines start and stop in parallel, but one tenant's start/stop/restart never interleave,
and a burst of change notifications for a tenant costs at most one extra run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)


class KeyedSerialExecutor:
    def __init__(self, handler: Callable[[str], None], workers: int, name: str) -> None:
        self._handler = handler
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._active: set[str] = set()  # keys queued or running
        self._again: set[str] = set()  # keys requested while running: run once more
        self._closed = False

    def request(self, key: str) -> bool:
        """Make sure ``handler(key)`` runs (again) after this call; never blocks. False once closed."""
        with self._lock:
            if self._closed:
                return False
            if key in self._active:
                self._again.add(key)
                return True
            self._active.add(key)
        self._pool.submit(self._drain, key)
        return True

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                self._again.discard(key)
            try:
                self._handler(key)
            except Exception:
                log.exception("tenant job failed", extra={"tenant": key})
            with self._lock:
                if key not in self._again:
                    self._active.discard(key)
                    return

    def shutdown(self) -> None:
        """Refuse new requests, then wait for queued and running ones to finish."""
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=True)
