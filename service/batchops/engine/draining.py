"""A processor's stop within a deadline (see ``engine.stopping``): no handler call starts after
``stop_by``; the running ones get until the deadline and every outcome they returned by then is
stored; the claims left go back to Unprocessed; what a call returns after the deadline is
discarded (``call`` decides, under one lock with the deadline's passing, so a result is
either stored or its element handed back, never both and never neither)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future
from datetime import timedelta
from typing import Any, TypeVar

from batchops.domain import BatchElement, BatchOperation
from batchops.engine.completions import take_back
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.handler_pool import Call, Completions
from batchops.engine.outcomes import BatchOutcomes
from batchops.engine.ports import ClaimsPort
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult

log = logging.getLogger(__name__)

_Result = TypeVar("_Result")
# The processor's reading of a finished call (``OutageGate.settle``): an ``ElementResult`` to store,
# None (given up: discarded), or anything else for an element it handed back itself.
Settle = Callable[[Call[Any], ClaimedElement], object]
# A call whose function returned before the deadline is back on its queue within moments (only the
# worker's hand-over is left); this only bounds the wait should that thread not get to run, well
# inside the stop's own margins (``engine.stopping``).
RETURNED_BACK_SECONDS = 0.5


class Draining:
    def __init__(self, claims: ClaimsPort, lease: timedelta) -> None:
        self._claims = claims
        self._lease = lease
        self.deadline: float | None = None  # set by stop_by (``time.monotonic``)
        self.signal: Future[None] = Future()  # done once stopping: wakes a waiting preparation
        self._wake: Completions | None = None  # the running round's completions: a stop wakes it
        self._lock = threading.Lock()
        self._late = False  # past the deadline: results still coming are discarded
        # The running round's elements whose call returned before it (each round has its own set:
        # a call left running by an aborted round must not vouch for the same element's next call).
        self._returned: set[uuid.UUID] = set()

    @property
    def late(self) -> bool:
        return self._late

    def stop_by(self, deadline: float) -> None:
        with self._lock:
            if self.deadline is None:
                self.deadline = deadline
                self.signal.set_result(None)
                if self._wake is not None:
                    self._wake.put(None)

    def close(self) -> None:
        with self._lock:
            self._late = True

    def new_batch(self, completions: Completions) -> set[uuid.UUID]:
        """A round starts; a stop wakes whoever waits on ``completions``. Returns the round's set
        of returned elements, which its calls get (``call``)."""
        with self._lock:
            self._returned = set()
            self._wake = completions
            return self._returned

    def refuse_when_stopping(self, handed_back: Sequence[ClaimedElement]) -> None:
        """Raise ``Interrupted`` once stopping (the batch is then not committed: the next owner of
        its records claims what is not final), before a claim or after claims were handed back."""
        if self.deadline is not None:
            raise Interrupted(f"stopping: {len(handed_back)} claimed element(s) handed back")

    def call(
        self,
        returned: set[uuid.UUID],
        process: Callable[[BatchOperation, BatchElement, object], _Result],
        operation: BatchOperation,
        element: BatchElement,
        prepared: object = None,
    ) -> _Result | None:
        """One element's handler call (``process``) of the round whose set is ``returned``; None
        when it returned after the deadline (or would only start after it: it does not run)."""
        if self._late:
            return None
        result = process(operation, element, prepared)
        with self._lock:
            if self._late:
                return None
            returned.add(element.id)
            return result

    def drain(
        self,
        waiting: Sequence[ClaimedElement],
        running: dict[Call[Any], ClaimedElement],
        completions: Completions,
        outcomes: BatchOutcomes,
        settle: Settle,
        *,
        reporting: bool = True,
    ) -> list[ClaimedElement]:
        """The claims never started go back at once; the running calls get until the deadline,
        every outcome they returned by then is stored, and the claims still running go back too.
        Failures are reported within the deadline; once a report failed (``reporting`` False: it
        had before the stop), only successes are stored and the failures go back with their
        attempt counted (their calls were made). Returns the claims handed back."""
        assert self.deadline is not None
        self._give_back(waiting)
        settled_back: list[ClaimedElement] = []
        renew_every = self._lease.total_seconds() / 3
        while running and time.monotonic() < self.deadline:
            timeout = min(self.deadline - time.monotonic(), renew_every)
            done = take_back(completions, timeout)
            settled_back += collect(done, running, outcomes, settle)
            reporting = self._store(outcomes, reporting)
            if not done and time.monotonic() < self.deadline:  # a grace over a third of the lease
                self._claims.renew(list(running.values()), self._lease)
        with self._lock:
            self._late = True
            returned = {call for call, c in running.items() if c.element.id in self._returned}
        # Returned just in time: kept, once back through the queue (their result is set by then).
        settled_back += collect(_back(completions, returned), running, outcomes, settle)
        self._store(outcomes, reporting)
        unreported = outcomes.take_unreported()
        self._give_back(unreported, ran=True)
        self._give_back(list(running.values()))
        return [*waiting, *settled_back, *running.values(), *unreported]

    def _store(self, outcomes: BatchOutcomes, reporting: bool) -> bool:
        """Store what came back; returns whether failures can still be reported. A report is
        given until the deadline, and one that fails (the broker away) is not tried again: the stop
        must not outlast its grace, nor end early leaving running calls neither stored nor handed
        back."""
        assert self.deadline is not None
        error = outcomes.store_pending(reporting, report_within=max(self.deadline - time.monotonic(), 0.1))
        if error is not None:
            log.warning("stopping: failure reports not sent (%s); those elements go back", error)
        return reporting and error is None

    def _give_back(self, claims: Sequence[ClaimedElement], ran: bool = False) -> None:
        """Hand ``claims`` back; ``ran``: their calls were made (failures that could not be
        reported), so their attempt stays counted."""
        if claims:
            moved = self._claims.hand_back(claims, ran=ran)
            log.info("stopping: %d of %d unfinished element(s) handed back", moved, len(claims))


def _back(completions: Completions, calls: Collection[Call[Any]]) -> list[Call[Any]]:
    """Those of ``calls`` that come back within ``RETURNED_BACK_SECONDS``: their function has
    returned, only the hand-over is left. (Other calls taken meanwhile returned too late, or
    raised: their elements stay running, to be handed back.)"""
    wanted, back = set(calls), []
    by = time.monotonic() + RETURNED_BACK_SECONDS
    while wanted and time.monotonic() < by:
        for call in take_back(completions, by - time.monotonic()):
            if call in wanted:
                wanted.discard(call)
                back.append(call)
            elif (error := call.exception()) is not None:
                log.warning("stopping: a handler call failed as the deadline passed: %r", error)
    return back


def collect(
    done: Collection[Call[Any]],
    running: dict[Call[Any], ClaimedElement],
    outcomes: BatchOutcomes,
    settle: Settle,
) -> list[ClaimedElement]:
    """Move finished calls from ``running`` to ``outcomes`` (calls of ``done`` not in ``running``
    are skipped). Returns the claims ``settle`` handed back (a dependency was unavailable)."""
    handed_back: list[ClaimedElement] = []
    for future in done:
        if future not in running:
            continue
        claim = running.pop(future)
        result = settle(future, claim)
        if isinstance(result, ElementResult):
            outcomes.add(result)
            continue
        outcomes.settled.add(claim.element.id)  # None: given up (canceled with force, or too late)
        if result is not None:
            handed_back.append(claim)
    return handed_back
