"""The elements consumer: claim a batch of elements (compare-and-set Unprocessed -> Processing,
with a lease), run the operation type's handler on them concurrently within a bound, record
the outcomes in bulk as they come in, and finish each operation as soon as its last element is
final.

A handler call whose outcome is not stored yet is repeated after a crash. So at most
``concurrency`` calls are ever started and not yet durable: a handler slot is only given to the
next element once the outcome it produced is stored. Outcomes are stored by group commit: as soon
as some are in, all that are in go in one bulk write; those completing during that write go in the
next one. Writes thus grow with the completion rate, and no slot waits for a timer."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from queue import SimpleQueue

from confluent_kafka import Message

from batchops import metrics
from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.engine.circuit import Admission
from batchops.engine.completions import come_back
from batchops.engine.control_view import ControlView
from batchops.engine.draining import Draining, collect
from batchops.engine.element_calls import ElementCalls
from batchops.engine.handler_pool import Call, Completions, HandlerPool
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.outages import OutageGate, Unavailable
from batchops.engine.outcomes import BatchOutcomes
from batchops.engine.ports import WorkPort
from batchops.engine.preparing import prepare_batch
from batchops.engine.processing_setup import ElementOutputs, HandlerAccess, ProcessingPolicy
from batchops.messaging.codecs import ElementWork, UndecodableRecord, decode_element_work
from batchops.messaging.kafka import PublishError
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult

log = logging.getLogger(__name__)
# A counter write takes this many rounds of outcomes (``concurrency`` each) off Processing ahead:
# with quick handlers each round is one outcome write, and a counter write per round cost as much
# client CPU as the outcome write itself. Counters lag by at most that many elements meanwhile.
COUNTER_WRITE_ROUNDS = 4

FinishedCallback = Callable[[BatchOperation], None]
__all__ = ["ElementOutputs", "HandlerAccess", "ProcessingPolicy", "Processor"]


class Processor:
    def __init__(
        self,
        tenant_id: str,
        work: WorkPort,
        outputs: ElementOutputs,
        policy: ProcessingPolicy,
        handlers: HandlerAccess,
        heartbeat: Heartbeat,
        *,
        on_finished: FinishedCallback | None = None,
        control: ControlView | None = None,
    ) -> None:
        self._tenant = tenant_id
        self._work = work
        # Which operations may start work (paused and canceled ones may not).
        self._control = control or ControlView(work.operations.statuses)
        self._handlers = handlers  # the handlers, their services and the token to call with
        self._producer = outputs.producer
        self._failed_topic = outputs.failed_topic
        self._dead = outputs.dead_letters
        self._republish = outputs.republish
        self._lease = policy.lease
        self._options = policy.handler_options
        self._on_finished = on_finished
        self._heartbeat = heartbeat
        self._concurrency = policy.concurrency
        self._pool = HandlerPool(policy.concurrency, f"handler-{tenant_id}")
        self.processed = 0
        self.records_seen = 0
        # The failures of a batch that failed because their reports could not be sent, and when:
        # reported and stored before the next batch (its retry, normally), so those elements'
        # calls are not made again after their leases run out. One at most: the next batch starts
        # only once they are stored.
        self._unsent: tuple[BatchOutcomes, float] | None = None
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._gate = OutageGate(tenant_id, work, handlers.outages, heartbeat)
        self._draining = Draining(work.claims, policy.lease)  # the stop (see engine.draining)
        self._calls = ElementCalls(tenant_id, handlers, policy, self._control, self._draining, heartbeat)

    def held_claims(self) -> set[str]:
        """Claim tokens of the batch being processed right now."""
        with self._held_lock:
            return set(self._held)

    def stop_by(self, deadline: float) -> None:
        """Start no handler call from now; the running ones get until ``deadline`` (engine.draining)."""
        self._draining.stop_by(deadline)

    def close(self) -> None:
        self._draining.close()  # calls still blocked are not waited for; their results are discarded
        self._pool.shutdown()

    def handle_batch(self, records: Sequence[Message]) -> None:
        metrics.observe_consumer_batch(self._tenant, "elements", len(records))
        self._heartbeat.activity()
        self._handle(records)
        self.records_seen += len(records)

    def _handle(self, records: Sequence[Message]) -> None:
        self._store_unsent()
        works: dict[uuid.UUID, ElementWork] = {}
        sources: dict[uuid.UUID, Message] = {}
        operation_ids: dict[tuple[int, int], uuid.UUID] = {}  # parsed once per batch
        for record in records:
            try:
                work = decode_element_work(record.value(), operation_ids)
            except UndecodableRecord as exc:
                self._dead.send(record, str(exc))
                continue
            works[work.element_id] = work
            sources[work.element_id] = record
        if not works:
            return
        operations = self._live_operations({w.operation_id for w in works.values()})
        # Only elements stored under the operation their record names: a forged record cannot
        # make us work on another operation's element.
        wanted = {w.element_id: w.operation_id for w in works.values() if w.operation_id in operations}
        self._draining.refuse_when_stopping([])
        claimed = self._work.claims.claim(wanted, self._lease)
        log.debug("element batch: %d records, %d wanted, %d claimed", len(records), len(wanted), len(claimed))
        if not claimed:
            self._dead_letter_strangers(wanted, claimed, works, sources)
            return
        pending = claimed
        while pending:
            handed_back = self._run_round(pending, operations)
            if not handed_back:
                break
            self._draining.refuse_when_stopping(handed_back)  # uncommitted: the next owner claims them
            # A dependency is down: hold the batch's records (claiming nothing) until a probe is
            # due, then take the handed-back elements again.
            self._gate.wait_for_probe()
            again = {c.element.id: c.element.operation_id for c in handed_back}
            pending = self._work.claims.claim(again, self._lease)
        self.processed += len(claimed)
        self._finish_all({c.element.operation_id for c in claimed})
        # Last: a dead-letter send that fails must not leave this batch's claims held.
        self._dead_letter_strangers(wanted, claimed, works, sources)

    def _store_unsent(self) -> None:
        """Report and store what a batch failed on (its failure reports could not be sent), under
        the claims it held: its elements' calls were made, and its retry must not make them again.
        Raises as that batch did while the broker is still away; a claim lost meanwhile (its lease
        ran out) stores nothing, and the element runs again as it would have anyway."""
        if self._unsent is None:
            return
        outcomes, failed_at = self._unsent
        # Their claims hold for two thirds of the lease after the batch failed (renewed every
        # third of it until then): reported and stored within half of it, or left to their leases
        # (they run again, as they would have anyway), so a report never speaks for an element
        # another worker took over.
        left = self._lease.total_seconds() / 2 - (time.monotonic() - failed_at)
        if left <= 0:
            log.warning("outcomes a failed batch could not report are left to their leases")
            self._unsent = None
            return
        before = outcomes.recorded
        outcomes.flush(report_within=left)
        self._unsent = None  # stored: whatever follows must not store or count them again
        log.info("stored %d outcome(s) a failed batch could not report", outcomes.recorded - before)
        outcomes.finish_or_lag()
        self._finish_all(outcomes.operation_ids)  # their last elements may be among them

    def _finish_all(self, operation_ids: Collection[uuid.UUID]) -> None:
        for operation_id in operation_ids:
            finished = self._finish(operation_id)
            if finished is not None:
                log.info(
                    "operation finished", extra={"operation": finished.token, "status": finished.status.value}
                )
                if self._on_finished is not None:
                    self._on_finished(finished)

    def _finish(self, operation_id: uuid.UUID) -> BatchOperation | None:
        """Finish the operation once its last element is final (a canceled one: its last running one)."""
        status = self._control.statuses({operation_id}).get(operation_id)
        if status in (BatchOperationStatus.CANCELING, BatchOperationStatus.CANCELED):
            return self._work.control.settle(operation_id)
        return self._work.finishing.finish_if_complete(operation_id)

    def _run_round(
        self, claimed: Sequence[ClaimedElement], operations: Mapping[uuid.UUID, BatchOperation]
    ) -> list[ClaimedElement]:
        """Run handlers on the claimed elements and store their outcomes; returns those handed
        back because a dependency was unavailable."""
        tokens = {c.claim for c in claimed}
        with self._held_lock:
            self._held |= tokens
        try:
            outcomes = BatchOutcomes(
                self._tenant,
                self._work,
                self._producer,
                self._failed_topic,
                claimed,
                operations,
                spare=self._concurrency * COUNTER_WRITE_ROUNDS,
            )
            prepared = prepare_batch(
                self._pool,
                self._tenant,
                self._handlers,
                self._options,
                claimed,
                operations,
                self._draining.signal,
            )
            try:
                handed_back = self._run_handlers(claimed, operations, outcomes, prepared)
            except PublishError as exc:
                if outcomes.pending and not exc.too_large:  # a refusal for size would never pass
                    failed_at = time.monotonic()
                    outcomes.keep_unreported()
                    self._unsent = (outcomes, failed_at)  # for the next batch, first thing
                raise
            outcomes.finish()
        finally:
            self._gate.round_ended()
            with self._held_lock:
                self._held -= tokens
        log.debug("element batch: %d recorded, %d handed back", outcomes.recorded, len(handed_back))
        return handed_back

    def _dead_letter_strangers(
        self,
        wanted: Collection[uuid.UUID],
        claimed: Sequence[ClaimedElement],
        works: Mapping[uuid.UUID, ElementWork],
        sources: Mapping[uuid.UUID, Message],
    ) -> None:
        """Records whose element does not exist under the operation they name go to the dead
        letters (looked up only for the unclaimed, normally a few redeliveries)."""
        unclaimed = set(wanted) - {c.element.id for c in claimed}
        if not unclaimed:
            return
        stored = self._work.claims.element_operations(list(unclaimed))
        for element_id in unclaimed:
            if stored.get(element_id) != works[element_id].operation_id:
                self._dead.send(
                    sources[element_id],
                    f"element {element_id} does not belong to operation {works[element_id].operation_id}",
                )

    def _run_handlers(
        self,
        claimed: Sequence[ClaimedElement],
        operations: Mapping[uuid.UUID, BatchOperation],
        outcomes: BatchOutcomes,
        prepared: Mapping[uuid.UUID, object],
    ) -> list[ClaimedElement]:
        """Run the batch's handlers concurrently, storing outcomes as they come in, and renew the
        leases of the elements not settled yet so a slow batch is never taken for an abandoned one
        (and requeued under our feet). Returns the elements handed back: a dependency was down
        (found so by their handler, or an open circuit kept them from starting), or a stop."""
        waiting = deque(claimed)
        running: dict[Call[ElementResult | Unavailable | None], ClaimedElement] = {}
        completions: Completions = SimpleQueue()  # this round's calls come back on it
        handed_back: list[ClaimedElement] = []
        renew_every = self._lease.total_seconds() / 3
        last_renewal = time.monotonic()
        returned = self._draining.new_batch(completions)
        unsent: PublishError | None = None
        while waiting or running:
            if self._draining.deadline is not None:
                drained = self._draining.drain(
                    [*waiting], running, completions, outcomes, self._gate.settle, reporting=unsent is None
                )
                return [*handed_back, *drained]
            # Every outcome is stored before the next round, so the running calls are all the
            # started-but-not-stored ones: a crash repeats at most ``concurrency`` of them.
            if unsent is None:
                waiting = self._start(waiting, running, completions, returned, operations, outcomes, prepared)
            elif waiting:  # never started: back to Unprocessed, for the batch's redelivery
                self._work.claims.hand_back(list(waiting))
                outcomes.settled.update(c.element.id for c in waiting)
                handed_back += waiting  # so a stop that comes now still leaves the batch uncommitted
                waiting.clear()
            if waiting and len(running) < self._concurrency:  # the circuits refused: give them back
                handed_back += waiting
                self._gate.hand_back(list(waiting))
                outcomes.settled.update(c.element.id for c in waiting)
                waiting.clear()
            if not running:
                break
            timeout = renew_every - (time.monotonic() - last_renewal)
            done = come_back(completions, len(running), max(timeout, 0.01))  # a stop wakes it
            handed_back += collect(done, running, outcomes, self._gate.settle)
            # Once a failure report could not be sent (the broker is away), nothing more starts,
            # but the calls under way finish and their successes are stored, or they would run
            # again; their failures are kept (see _run_round) and the batch fails uncommitted.
            error = outcomes.store_pending(reporting=unsent is None)
            unsent = unsent or error
            if time.monotonic() - last_renewal >= renew_every * 0.9:
                self._work.claims.renew(
                    [c for c in claimed if c.element.id not in outcomes.settled], self._lease
                )
                log.debug("renewed leases in %.2fs", time.monotonic() - last_renewal)
                last_renewal = time.monotonic()
        if unsent is not None:
            raise unsent
        return handed_back

    def _start(
        self,
        waiting: deque[ClaimedElement],
        running: dict[Call[ElementResult | Unavailable | None], ClaimedElement],
        completions: Completions,
        returned: set[uuid.UUID],
        operations: Mapping[uuid.UUID, BatchOperation],
        outcomes: BatchOutcomes,
        prepared: Mapping[uuid.UUID, object],
    ) -> deque[ClaimedElement]:
        """Start waiting elements up to the concurrency bound; those of an operation paused or
        canceled meanwhile are handed back unstarted (without spending an attempt). Checked and
        started under the control fence: once a pause or cancel served here returned, nothing
        of its operation starts. Stops early while the tenant's circuits refuse calls."""
        if not waiting:
            return waiting
        stopped: list[ClaimedElement] = []
        with self._control.starting():
            # The batch's operations, not the waiting elements' (rebuilding that set on every
            # round cost O(batch) per started element).
            runnable = self._control.runnable(operations.keys())
            if len(runnable) < len(operations):
                stopped = [c for c in waiting if c.element.operation_id not in runnable]
                waiting = deque(c for c in waiting if c.element.operation_id in runnable)
            while waiting and len(running) < self._concurrency:
                if (admission := self._gate.admit()) is Admission.WAIT:
                    break  # a dependency's circuit is open: the caller hands them back
                claim = waiting.popleft()
                operation = operations[claim.element.operation_id]
                call = self._pool.start(
                    completions,
                    self._draining.call,
                    returned,
                    self._calls.process,
                    operation,
                    claim.element,
                    prepared.get(operation.id),
                )
                running[call] = claim
                self._gate.started(call, admission)
        if stopped:
            self._hand_back(stopped)
            outcomes.settled.update(c.element.id for c in stopped)
        return waiting

    def _hand_back(self, stopped: Sequence[ClaimedElement]) -> None:
        """Give back elements of stopped operations. A resume that raced us re-published only the
        elements that were Unprocessed then, not these: if one is running again, send them too."""
        handed_back = self._work.claims.hand_back(stopped)
        log.info("operation stopped: %d claimed element(s) handed back unstarted", handed_back)
        now = self._control.statuses({c.element.operation_id for c in stopped}, fresh=True)
        resumed = [c.element for c in stopped if (status := now.get(c.element.operation_id)) and status.runs]
        if resumed:
            self._republish(resumed)

    def _live_operations(self, operation_ids: set[uuid.UUID]) -> dict[uuid.UUID, BatchOperation]:
        """Operations still worth working on: not deleted, finished, paused or canceled (the
        records of a paused one are skipped: resuming publishes its waiting elements again)."""
        operations = self._work.operations.operations(operation_ids)
        return {op_id: op for op_id, op in operations.items() if op.status.runs}
