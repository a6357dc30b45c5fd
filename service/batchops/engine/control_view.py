"""What this instance knows of operator control: which operations may start new work.

The processor asks before it starts each element and the initializer before each slice of
fan-out. Statuses are read from the store at most every ``refresh_seconds`` per operation (other
instances' control calls are seen within that), and a control call served here is noted at once.

Starting is fenced against a note: the processor checks and submits under ``starting()``, and a
note takes the same lock, so once ``note`` returns no element of a stopped operation starts here.
A force-canceled operation also fences handler *effects*: a handler's effectful call runs inside
``effect()``, which refuses once the operation is Canceled, and ``wait_for_effects`` lets the
cancel call return only after the effects already under way have completed (bounded).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager

from cachetools import LRUCache

from batchops.domain import BatchOperationStatus
from batchops.engine.handlers.base import OperationStopped

__all__ = ["ControlView", "OperationStopped"]

StatusReader = Callable[[Collection[uuid.UUID]], Mapping[uuid.UUID, BatchOperationStatus]]
DEFAULT_REFRESH_SECONDS = 0.25
# Operations remembered at once (least recently asked about are forgotten, and re-read if asked).
KNOWN_OPERATIONS = 10_000


class ControlView:
    def __init__(
        self,
        read_statuses: StatusReader,
        refresh_seconds: float = DEFAULT_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read_statuses
        self._refresh = refresh_seconds
        self._clock = clock
        self._known: LRUCache[uuid.UUID, tuple[BatchOperationStatus, float]] = LRUCache(KNOWN_OPERATIONS)
        self._lock = threading.RLock()
        self._effects: Counter[uuid.UUID] = Counter()
        self._effects_done = threading.Condition(self._lock)

    def statuses(
        self, operation_ids: Collection[uuid.UUID], *, fresh: bool = False
    ) -> dict[uuid.UUID, BatchOperationStatus]:
        """The current status of each operation, re-read where older than the refresh period
        (all of them with ``fresh``); an operation that no longer exists is left out."""
        now = self._clock()
        with self._lock:
            stale = [
                op
                for op in operation_ids
                if fresh or op not in self._known or now - self._known[op][1] > self._refresh
            ]
        read = self._read(stale) if stale else {}
        with self._lock:
            for op in stale:
                if op in read:
                    self._known[op] = (read[op], now)
                else:
                    self._known.pop(op, None)
            return {op: self._known[op][0] for op in operation_ids if op in self._known}

    def runnable(self, operation_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``operation_ids`` whose work may go on (not paused, canceling, final or gone)."""
        return {op for op, status in self.statuses(operation_ids).items() if status.runs}

    @contextmanager
    def starting(self) -> Iterator[None]:
        """Hold while checking ``runnable`` and starting the work it allowed."""
        with self._lock:
            yield

    def note(self, operation_id: uuid.UUID, status: BatchOperationStatus) -> None:
        """A control call served here changed the status: every later check sees it."""
        with self._lock:
            self._known[operation_id] = (status, self._clock())

    @contextmanager
    def effect(self, operation_id: uuid.UUID) -> Iterator[None]:
        """Around a handler's effectful call: refused once the operation is Canceled (force)."""
        with self._lock:
            known = self._known.get(operation_id)
            if known is not None and known[0] == BatchOperationStatus.CANCELED:
                raise OperationStopped("the operation was canceled")
            self._effects[operation_id] += 1
        try:
            yield
        finally:
            with self._lock:
                self._effects[operation_id] -= 1
                if self._effects[operation_id] <= 0:
                    del self._effects[operation_id]
                    self._effects_done.notify_all()

    def wait_for_effects(self, operation_id: uuid.UUID, timeout: float) -> bool:
        """Wait until no effect of the operation is under way here; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._effects.get(operation_id):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._effects_done.wait(remaining)
            return True

    def forget(self, operation_ids: Collection[uuid.UUID]) -> None:
        with self._lock:
            for op in operation_ids:
                self._known.pop(op, None)
