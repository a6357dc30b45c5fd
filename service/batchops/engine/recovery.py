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
from datetime import datetime, timedelta

from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.publisher import WorkPublisher
from batchops.logs import log_context
from batchops.messaging.kafka import PublishError
from batchops.store import utcnow
from batchops.store.work_store import WorkStore

log = logging.getLogger(__name__)

_INITIALIZED = (BatchOperationStatus.INITIALIZED_SUCCESSFULLY, BatchOperationStatus.INITIALIZED_WITH_ERRORS)
# Operations whose initialization ends without all chunks when no progress came for this long.
DEFAULT_INITIALIZATION_TIMEOUT = timedelta(hours=1)

Done = dict[str, int]


class Recovery:
    """Records are only presumed lost when the consumer that should see them has been idle for
    the whole stale period; a busy consumer may simply not have reached them yet, and
    re-publishing behind it would only pile up duplicates."""

    def __init__(
        self,
        work: WorkStore,
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

    def sweep(self) -> Done:
        """One pass; returns what it did, by kind."""
        done: Done = {
            "republished_operations": 0,
            "resumed_initializations": 0,
            "ended_initializations": 0,
            "requeued_elements": 0,
            "finished": 0,
            "orphans_removed": 0,
        }
        cutoff = utcnow() - self._stale_after
        stale = self._stale_after.total_seconds()
        initializer_idle = self._initializer.idle_seconds() >= stale
        processor_idle = self._processor.idle_seconds() >= stale
        jobs: list[tuple[str, Callable[[], None]]] = [
            ("ensure the tenant's topics exist", self._ensure_topics),
            ("republish unpublished operations", lambda: self._republish(done, cutoff, initializer_idle)),
            ("resume initializations", lambda: self._resume(done, cutoff, initializer_idle)),
            ("end stalled initializations", lambda: self._end_stalled(done)),
            ("requeue expired leases", lambda: self._requeue_expired(done)),
            ("finish initialized operations", lambda: self._finish(done, cutoff, processor_idle)),
            ("remove elements of deleted operations", lambda: self._remove_orphans(done, cutoff)),
        ]
        for name, job in jobs:
            try:
                job()
            except PublishError as exc:
                self.failures += 1
                log.warning("recovery could not publish (%s); will try again: %s", name, exc)
            except Exception:
                self.failures += 1
                log.exception("recovery job failed: %s; the other jobs still run", name)
        if any(done.values()):
            log.info("recovery sweep: %s", done)
        return done

    def _remove_orphans(self, done: Done, cutoff: datetime) -> None:
        # A delete that raced a chunk insert of a process that then crashed left elements.
        done["orphans_removed"] += self._work.sweep_deleted(settled_before=cutoff)

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

    def _republish(self, done: Done, cutoff: datetime, initializer_idle: bool) -> None:
        def republish(operation: BatchOperation) -> None:
            self._publisher.publish_operation(operation)
            self._work.mark_published(operation.id)
            done["republished_operations"] += 1

        self._each(
            self._work.unpublished_operations(created_before=cutoff, include_published=initializer_idle),
            republish,
        )

    def _resume(self, done: Done, cutoff: datetime, initializer_idle: bool) -> None:
        if not initializer_idle:
            return

        def resume(operation: BatchOperation) -> None:
            # Only stored chunks can be re-sent, so the record's chunk count is never iterated.
            finished_chunks, _count = self._work.chunks_done(operation.id)
            self._publisher.publish_operation(operation, skip_chunks=finished_chunks)
            self._work.touch(operation.id)
            done["resumed_initializations"] += 1

        self._each(self._work.operations_in([BatchOperationStatus.INITIALIZING], older_than=cutoff), resume)

    def _end_stalled(self, done: Done) -> None:
        before = utcnow() - self._init_timeout

        def end(operation: BatchOperation) -> None:
            ended = self._work.end_initialization(operation.id, before)
            if ended is None:
                return
            log.warning("initialization timed out: %s", ended.last_error)
            done["ended_initializations"] += 1
            self._work.finish_if_complete(operation.id)

        self._each(self._work.stalled_initializations(before), end)

    def _requeue_expired(self, done: Done) -> None:
        # Claims our own processor still holds are slow, not abandoned: their renewal is late.
        held = self._held_claims()
        expired = [c.element for c in self._work.expired_leases() if c.claim not in held]
        if expired:
            done["requeued_elements"] += self._publisher.republish_elements(
                self._work.requeue_expired(expired)
            )

    def _finish(self, done: Done, cutoff: datetime, processor_idle: bool) -> None:
        def finish(operation: BatchOperation) -> None:
            if self._work.finish_from_elements(operation.id) is not None:
                done["finished"] += 1
                return
            if processor_idle:
                # No progress, elements still waiting, nothing consumed: their records are lost.
                self._work.touch(operation.id)
                done["requeued_elements"] += self._publisher.republish_elements(
                    self._work.unprocessed_elements(operation.id)
                )

        self._each(self._work.operations_in(_INITIALIZED, older_than=cutoff), finish)


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

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        with log_context(tenant=self._tenant, stage="recovery"):
            while not self._stop.is_set():
                try:
                    self._recovery.sweep()
                except Exception:
                    log.exception("recovery sweep failed")
                self._stop.wait(self._interval)
