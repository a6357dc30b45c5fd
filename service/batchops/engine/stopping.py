"""When stopping must be done: one deadline shared by the API drain and every tenant engine.

On SIGTERM the process stops taking calls and records at once; in-flight calls and running
handlers get until the deadline (signal + grace). What is left after it is bounded by the
margins below, so the process has exited within grace + ``EXIT_MARGIN``:

- by the deadline, a processor stores the outcomes its handlers returned and hands the claims
  still held back to Unprocessed (results arriving later are discarded);
- ``LOOP_GIVE_UP_AFTER`` later, a consumer whose batch is still running leaves its group anyway
  (the batch is not committed: its records come again to the next owner);
- ``JOIN_AFTER`` later, the engine stops waiting for its threads and flushes its producer, whose
  flush ends by ``FLUSH_BY``;
- then the outgoing channels and the MongoDB client are closed.
"""

from __future__ import annotations

import threading
import time

LOOP_GIVE_UP_AFTER = 2.0
JOIN_AFTER = 2.5
FLUSH_BY = 3.5
EXIT_MARGIN = 5.0
DEFAULT_GRACE = 10.0
# An engine stopped on its own (a configuration change restarts it) while the process runs on:
# no one waits to kill the process, so its running handlers get longer (fewer calls repeated).
RESTART_GRACE = 20.0


def remaining(until: float, floor: float = 0.0) -> float:
    """Seconds from now to ``until`` (``time.monotonic``), at least ``floor``."""
    return max(until - time.monotonic(), floor)


class StopDeadline:
    """The process's stop deadline (``time.monotonic``), fixed the first time it is asked for."""

    def __init__(self, grace_seconds: float = DEFAULT_GRACE) -> None:
        self.grace = grace_seconds
        self._deadline: float | None = None
        self._lock = threading.Lock()

    def begin(self) -> float:
        """The process is stopping: the deadline is now + grace (the first call fixes it)."""
        with self._lock:
            if self._deadline is None:
                self._deadline = time.monotonic() + self.grace
            return self._deadline

    @property
    def begun(self) -> bool:
        with self._lock:
            return self._deadline is not None

    def for_engine(self) -> float:
        """The deadline of an engine stopping now: the process's, or ``RESTART_GRACE`` from now
        when only that engine stops."""
        with self._lock:
            return self._deadline if self._deadline is not None else time.monotonic() + RESTART_GRACE
