"""A processor's stop within a deadline (see ``engine.stopping``): no handler call starts after
``stop_by``; the running ones get until the deadline and every outcome they returned by then is
stored; the claims left go back to Unprocessed; what a call returns after the deadline is
discarded (the gate ``admit`` decides, under one lock with the deadline's passing, so a result is
either stored or its element handed back, never both and never neither)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from datetime import timedelta
from typing import Any

from batchops.engine.outcomes import BatchOutcomes
from batchops.engine.ports import ClaimsPort
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult

log = logging.getLogger(__name__)

Running = dict[Future[ElementResult | None], ClaimedElement]


class Draining:
    def __init__(self, claims: ClaimsPort, lease: timedelta) -> None:
        self._claims = claims
        self._lease = lease
        self.deadline: float | None = None  # set by stop_by (``time.monotonic``)
        self.signal: Future[None] = Future()  # done once stopping: wakes a waiting batch
        self._lock = threading.Lock()
        self._late = False  # past the deadline: results still coming are discarded
        self._returned: set[uuid.UUID] = set()  # elements whose call returned before it

    @property
    def late(self) -> bool:
        return self._late

    def stop_by(self, deadline: float) -> None:
        with self._lock:
            if self.deadline is None:
                self.deadline = deadline
                self.signal.set_result(None)

    def close(self) -> None:
        with self._lock:
            self._late = True

    def new_batch(self) -> None:
        with self._lock:
            self._returned.clear()

    def admit(self, element_id: uuid.UUID) -> bool:
        """Whether a call that just returned may be recorded (False after the deadline)."""
        with self._lock:
            if self._late:
                return False
            self._returned.add(element_id)
            return True

    def drain(
        self, waiting: Sequence[ClaimedElement], running: Running, outcomes: BatchOutcomes
    ) -> list[ClaimedElement]:
        """The claims never started go back at once; the running calls get until the deadline,
        every outcome they returned by then is stored, and the claims still running go back too.
        Returns the claims handed back."""
        assert self.deadline is not None
        self._give_back(waiting)
        renew_every = self._lease.total_seconds() / 3
        while running and time.monotonic() < self.deadline:
            timeout = min(self.deadline - time.monotonic(), renew_every)
            done, _ = wait(running, timeout=max(timeout, 0), return_when=FIRST_COMPLETED)
            collect(done, running, outcomes)
            outcomes.flush()
            if not done and time.monotonic() < self.deadline:  # a grace over a third of the lease
                self._claims.renew(list(running.values()), self._lease)
        with self._lock:
            self._late = True
            returned = {f for f, c in running.items() if c.element.id in self._returned}
        collect(returned, running, outcomes)  # returned just before the deadline: kept
        outcomes.flush()
        self._give_back(list(running.values()))
        return [*waiting, *running.values()]

    def _give_back(self, claims: Sequence[ClaimedElement]) -> None:
        if claims:
            moved = self._claims.hand_back(claims)
            log.info("stopping: %d of %d unfinished element(s) handed back", moved, len(claims))


def collect(done: Collection[Future[Any]], running: Running, outcomes: BatchOutcomes) -> None:
    """Move finished calls from ``running`` to ``outcomes`` (other futures in ``done`` are skipped)."""
    for future in done:
        claim = running.pop(future, None)
        if claim is None:  # the stop signal
            continue
        result = future.result()
        if result is None:  # given up: its operation was canceled with force, or past the deadline
            outcomes.settled.add(claim.element.id)
        else:
            outcomes.add(result)
