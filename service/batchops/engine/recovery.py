"""Finding and resuming work that a crash, a lost record or a failed publish left behind.

Runs when an engine starts and then periodically. Every step is idempotent (the consumers
de-duplicate), so several instances sweeping the same tenant only cost some extra records.
Each job, and each operation within a job, is isolated: one that fails is logged (with its
tenant and operation) and the others still run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.ports import WorkPort
from batchops.engine.publisher import WorkPublisher
from batchops.logs import log_context
from batchops.messaging.kafka import PublishError
from batchops.store import utcnow

log = logging.getLogger(__name__)

_INITIALIZED = (BatchOperationStatus.INITIALIZED_SUCCESSFULLY, BatchOperationStatus.INITIALIZED_WITH_ERRORS)
# Operations whose initialization ends without all chunks when no progress came for this long.
DEFAULT_INITIALIZATION_TIMEOUT = timedelta(hours=1)
# How long after a cancel recovery still looks for elements a racing fan-out added (an insert that
# began before the cancel ends within seconds; this leaves a wide margin).
RECENTLY_CANCELED = timedelta(minutes=10)


@dataclass
class SweepResult:
    """What one sweep did, by kind (counted as it goes, so a job that fails half-way still
    reports what it did before)."""

    republished_operations: int = 0
    resumed_initializations: int = 0
    ended_initializations: int = 0
    requeued_elements: int = 0
    finished: int = 0
    canceled: int = 0
    orphans_removed: int = 0

    def __bool__(self) -> bool:
        return any(asdict(self).values())

    def summary(self) -> str:
        """The kinds that happened, e.g. ``requeued_elements=3 finished=1``."""
        return " ".join(f"{kind}={n}" for kind, n in asdict(self).items() if n)


@dataclass(frozen=True)
class _SweepView:
    """What a sweep decides once, at its start: the stale cutoff and which consumers are idle."""

    cutoff: datetime
    initializer_idle: bool
    processor_idle: bool


class Recovery:
    """Records are only presumed lost when the consumer that should see them has been idle for
    the whole stale period; a busy consumer may simply not have reached them yet, and
    re-publishing behind it would only pile up duplicates."""

    def __init__(
        self,
        work: WorkPort,
        publisher: WorkPublisher,
        *,
        stale_after: timedelta,
        initializer: Heartbeat,
        processor: Heartbeat,
        held_claims: Callable[[], set[str]] = set,
        initialization_timeout: timedelta = DEFAULT_INITIALIZATION_TIMEOUT,
        ensure_topics: Callable[[], None] = lambda: None,
    ) -> None:
        self._work = work
        self._publisher = publisher
        self._stale_after = stale_after
        self._initializer = initializer
        self._processor = processor
        self._held_claims = held_claims
        self._init_timeout = initialization_timeout
        self._ensure_topics = ensure_topics
        self.failures = 0

    def sweep(self) -> SweepResult:
        """One pass over every job; returns what it did."""
        result = SweepResult()
        view = self._view()
        jobs: list[tuple[str, Callable[[], None]]] = [
            ("ensure the tenant's topics exist", self._ensure_topics),
            ("republish unpublished operations", lambda: self._republish_unpublished(result, view)),
            ("resume initializations", lambda: self._resume_initializations(result, view)),
            ("end stalled initializations", lambda: self._end_stalled_initializations(result)),
            ("requeue expired leases", lambda: self._requeue_expired_leases(result)),
            ("finish initialized operations", lambda: self._finish_initialized(result, view)),
            ("carry canceled operations to their end", lambda: self._settle_canceling(result)),
            ("remove elements of deleted operations", lambda: self._remove_orphans(result, view)),
        ]
        for name, job in jobs:
            self._run_job(name, job)
        if result:
            log.info("recovery sweep: %s", result.summary())
        return result

    def _view(self) -> _SweepView:
        stale = self._stale_after.total_seconds()
        return _SweepView(
            cutoff=utcnow() - self._stale_after,
            initializer_idle=self._initializer.idle_seconds() >= stale,
            processor_idle=self._processor.idle_seconds() >= stale,
        )

    def _run_job(self, name: str, job: Callable[[], None]) -> None:
        """Run one job; one that fails is logged and counted, and the others still run."""
        try:
            job()
        except PublishError as exc:
            self.failures += 1
            log.warning("recovery could not publish (%s); will try again: %s", name, exc)
        except Exception:
            self.failures += 1
            log.exception("recovery job failed: %s; the other jobs still run", name)

    def _each(self, operations: Iterable[BatchOperation], action: Callable[[BatchOperation], None]) -> None:
        """Apply ``action`` to every operation; one that fails is logged and skipped."""
        for operation in operations:
            with log_context(operation=operation.token):
                try:
                    action(operation)
                except PublishError as exc:
                    self.failures += 1
                    log.warning(
                        "recovery could not publish for an operation; will try again: %s",
                        exc,
                        extra={"operation_id": str(operation.id)},
                    )
                except Exception:
                    self.failures += 1
                    log.exception(
                        "recovery of an operation failed; the others continue",
                        extra={"operation_id": str(operation.id)},
                    )

    # ---- the jobs ---------------------------------------------------------------------------

    def _republish_unpublished(self, result: SweepResult, view: _SweepView) -> None:
        """Publish operations whose first publish failed (all stale Unprocessed ones once the
        initializer has been idle: their records may have been lost)."""

        def republish(operation: BatchOperation) -> None:
            self._publisher.publish_operation(operation)
            self._work.operations.mark_published(operation.id)
            result.republished_operations += 1

        unpublished = self._work.recovery.unpublished_operations(
            created_before=view.cutoff, include_published=view.initializer_idle
        )
        self._each(unpublished, republish)

    def _resume_initializations(self, result: SweepResult, view: _SweepView) -> None:
        """With the initializer idle, re-send the chunks of stale Initializing operations that
        are not counted in yet (their records were lost)."""
        if not view.initializer_idle:
            return

        def resume(operation: BatchOperation) -> None:
            # Only stored chunks can be re-sent, so the record's chunk count is never iterated.
            finished_chunks, _count = self._work.initialization.chunks_done(operation.id)
            self._publisher.publish_operation(operation, skip_chunks=finished_chunks)
            if view.processor_idle:
                # The elements of the chunks counted in wait too (their records were lost, or
                # skipped while the operation was paused and resumed from another instance).
                result.requeued_elements += self._publisher.republish_elements(
                    self._work.recovery.unprocessed_elements(operation.id)
                )
            self._work.operations.touch(operation.id)
            result.resumed_initializations += 1

        initializing = self._work.operations.operations_in(
            [BatchOperationStatus.INITIALIZING], older_than=view.cutoff
        )
        self._each(initializing, resume)

    def _end_stalled_initializations(self, result: SweepResult) -> None:
        """End initializations without progress for the initialization timeout with the chunks
        that arrived (and finish them at once if those are all done)."""
        before = utcnow() - self._init_timeout

        def end(operation: BatchOperation) -> None:
            ended = self._work.recovery.end_initialization(operation.id, before)
            if ended is None:
                return
            log.warning("initialization timed out: %s", ended.last_error)
            result.ended_initializations += 1
            self._work.finishing.finish_if_complete(operation.id)

        self._each(self._work.recovery.stalled_initializations(before), end)

    def _requeue_expired_leases(self, result: SweepResult) -> None:
        """Processing elements whose lease expired go back to Unprocessed and are re-published."""
        # Claims our own processor still holds are slow, not abandoned: their renewal is late.
        held = self._held_claims()
        expired = [c.element for c in self._work.recovery.expired_leases() if c.claim not in held]
        if expired:
            result.requeued_elements += self._publisher.republish_elements(
                self._work.recovery.requeue_expired(expired)
            )

    def _finish_initialized(self, result: SweepResult, view: _SweepView) -> None:
        """Finish stale initialized operations whose elements are all final (counters may lag);
        with the processor idle, re-publish the unprocessed elements of the others."""

        def finish(operation: BatchOperation) -> None:
            if self._work.finishing.finish_from_elements(operation.id) is not None:
                result.finished += 1
                return
            if view.processor_idle:
                # No progress, elements still waiting, nothing consumed: their records are lost.
                self._work.operations.touch(operation.id)
                result.requeued_elements += self._publisher.republish_elements(
                    self._work.recovery.unprocessed_elements(operation.id)
                )

        self._each(self._work.operations.operations_in(_INITIALIZED, older_than=view.cutoff), finish)

    def _settle_canceling(self, result: SweepResult) -> None:
        """Canceling operations whose instance died mid-cancel, or whose last running elements
        were requeued when their lease expired, end Canceled; recently canceled ones get the
        elements a fan-out that raced the cancel added canceled too."""

        def settle(operation: BatchOperation) -> None:
            if self._work.control.settle(operation.id) is not None:
                result.canceled += 1

        self._each(self._work.operations.operations_in([BatchOperationStatus.CANCELING]), settle)
        recently = utcnow() - RECENTLY_CANCELED
        canceled = self._work.operations.operations_in([BatchOperationStatus.CANCELED], newer_than=recently)
        self._each(canceled, settle)

    def _remove_orphans(self, result: SweepResult, view: _SweepView) -> None:
        """Remove elements a delete that raced a chunk insert (of a process that then crashed)
        left behind."""
        result.orphans_removed += self._work.recovery.sweep_deleted(settled_before=view.cutoff)


class Sweeper:
    """Runs ``Recovery.sweep`` at start and every ``interval`` seconds on its own thread."""

    def __init__(self, recovery: Recovery, interval: float, tenant_id: str) -> None:
        self._recovery = recovery
        self._interval = interval
        self._tenant = tenant_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sweeper-{tenant_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        with log_context(tenant=self._tenant, stage="recovery"):
            while not self._stop.is_set():
                try:
                    self._recovery.sweep()
                except Exception:
                    log.exception("recovery sweep failed")
                self._stop.wait(self._interval)
