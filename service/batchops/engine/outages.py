"""The processor's side of dependency outages: which handler calls may start (the tenant's
circuits, ``batchops.engine.circuit``), giving back elements that could not run, waiting for the
next probe, and making the outage visible (the affected operations' ``waitingOn``, metrics, one
log line per state change).

An element whose handler found a dependency unavailable, or that the open circuit kept from
starting, is handed back (Processing -> Unprocessed, its attempt given back) at once. The batch
keeps its records (uncommitted; the consumer loop keeps polling with the partitions paused), waits
holding no claim until a probe is due, and claims those elements again: work resumes by itself as
soon as the dependency answers, without re-publishing and without waiting for a lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from batchops import metrics
from batchops.engine.circuit import Admission, CircuitState, TenantCircuits, Transition
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.handler_pool import Call
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.ports import WorkPort
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult

log = logging.getLogger(__name__)

HANDED_BACK_REASON: Final = "dependency_unavailable"
CIRCUIT_OPEN: Final = "circuit open"  # the log's reason for elements the open circuit kept back


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Unavailable:
    """A handler call that found a dependency unavailable: not the element's outcome."""

    element_id: uuid.UUID
    dependency: str
    detail: str


@dataclass(frozen=True)
class OutageHandling:
    """The tenant's circuits, and how the processor waits for them (injectable for tests)."""

    circuits: TenantCircuits = field(default_factory=TenantCircuits)
    stopping: Callable[[], bool] = _never
    sleep: Callable[[float], None] = time.sleep
    poll_seconds: float = 0.2


class OutageGate:
    def __init__(
        self, tenant_id: str, work: WorkPort, handling: OutageHandling, heartbeat: Heartbeat
    ) -> None:
        self._tenant = tenant_id
        self._work = work
        self._handling = handling
        self._circuits = handling.circuits
        self._heartbeat = heartbeat
        self._probe: Call[ElementResult | Unavailable | None] | None = None
        # Operations with elements handed back during the current outage (their waitingOn is set).
        self._affected: set[uuid.UUID] = set()
        self._circuits.listen(self._changed)

    @property
    def circuits(self) -> TenantCircuits:
        return self._circuits

    def admit(self) -> Admission:
        return self._circuits.admit()

    def started(self, call: Call[ElementResult | Unavailable | None], admission: Admission) -> None:
        if admission is Admission.PROBE:
            self._probe = call

    def settle(
        self, call: Call[ElementResult | Unavailable | None], claim: ClaimedElement
    ) -> ElementResult | Unavailable | None:
        """The call's result, after telling the circuits what it says of the dependency; an
        ``Unavailable`` element is handed back here. (None: the call gave up because its
        operation was canceled with force, which says nothing of the dependency.)"""
        result = call.result()
        probe = call is self._probe
        if probe:
            self._probe = None
        if isinstance(result, Unavailable):
            self._circuits.unavailable(result.dependency, probe=probe)
            self.hand_back([claim], result.dependency)
        elif result is not None:
            self._circuits.answered(probe=probe)
        elif probe:
            self._circuits.probe_lost()
        return result

    def hand_back(self, claimed: Sequence[ClaimedElement], dependency: str = CIRCUIT_OPEN) -> None:
        """Give elements that did not run back (Unprocessed, attempt returned), and mark their
        operations as waiting."""
        if not claimed:
            return
        moved = self._work.claims.hand_back(claimed)
        metrics.elements_handed_back(self._tenant, HANDED_BACK_REASON, moved)
        log.debug("handed back %d element(s) (%s unavailable)", moved, dependency)
        new = {c.element.operation_id for c in claimed} - self._affected
        if new and not self._circuits.closed:
            self._affected |= new
            self._write_waiting_on(new, self._circuits.waiting_on())

    def round_ended(self) -> None:
        """A probe whose result was never read (the round failed) must not keep the circuits
        half-open for ever."""
        if self._probe is not None:
            self._probe = None
            self._circuits.probe_lost()

    def wait_for_probe(self) -> None:
        """Hold (claiming nothing) until a call may start again; raises ``Interrupted`` when the
        engine stops meanwhile. Counts as activity, so recovery does not take the quiet for lost
        records."""
        while (delay := self._circuits.seconds_until_probe()) > 0:
            if self._handling.stopping():
                # Whoever takes the records next tells its own story; ours would go stale.
                affected, self._affected = self._affected, set()
                self._write_waiting_on(affected, "")
                raise Interrupted()
            self._heartbeat.activity()
            self._handling.sleep(min(delay, self._handling.poll_seconds))

    # ---- state changes ----------------------------------------------------------------------

    def _changed(self, change: Transition) -> None:
        metrics.dependency_circuit_state(self._tenant, change.dependency, int(change.new))
        if change.new is CircuitState.OPEN:
            log.warning(
                "%s unavailable: circuit %s; next probe in %.1f s",
                change.dependency,
                "opened" if change.old is CircuitState.CLOSED else "re-opened after a failed probe",
                change.next_probe_in,
                extra={"dependency": change.dependency, "outage_seconds": round(change.outage_seconds, 1)},
            )
        elif change.new is CircuitState.HALF_OPEN:
            log.info("%s: circuit half-open, probing with one element", change.dependency)
        else:
            log.info(
                "%s answers again: circuit closed after %.1f s",
                change.dependency,
                change.outage_seconds,
                extra={"dependency": change.dependency},
            )
        if self._circuits.closed:
            affected, self._affected = self._affected, set()
            self._write_waiting_on(affected, "")
        elif self._affected:
            self._write_waiting_on(self._affected, self._circuits.waiting_on())

    def _write_waiting_on(self, operation_ids: set[uuid.UUID], text: str) -> None:
        if not operation_ids:
            return
        try:
            self._work.operations.set_waiting_on(operation_ids, text)
        except Exception:  # visibility only: never worth failing the batch over
            log.warning("could not record what operations wait on", exc_info=True)
