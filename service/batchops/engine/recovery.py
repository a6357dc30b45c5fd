"""Finding and resuming work that a crash, a lost record or a failed publish left behind.

Runs when an engine starts and then periodically. Every step is idempotent (the consumers
de-duplicate), so several instances sweeping the same tenant only cost some extra records.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from batchops.domain import BatchOperationStatus
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.publisher import WorkPublisher
from batchops.messaging.kafka import PublishError
from batchops.store import utcnow
from batchops.store.work_store import WorkStore

log = logging.getLogger(__name__)

_INITIALIZED = (BatchOperationStatus.INITIALIZED_SUCCESSFULLY, BatchOperationStatus.INITIALIZED_WITH_ERRORS)


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
    ) -> None:
        self._work = work
        self._publisher = publisher
        self._stale_after = stale_after
        self._initializer = initializer
        self._processor = processor
        self._held_claims = held_claims

    def sweep(self) -> dict[str, int]:
        """One pass; returns what it did, by kind."""
        done = {
            "republished_operations": 0,
            "resumed_initializations": 0,
            "requeued_elements": 0,
            "finished": 0,
            "orphans_removed": 0,
        }
        cutoff = utcnow() - self._stale_after
        stale = self._stale_after.total_seconds()
        initializer_idle = self._initializer.idle_seconds() >= stale
        processor_idle = self._processor.idle_seconds() >= stale
        try:
            for operation in self._work.unpublished_operations(
                created_before=cutoff, include_published=initializer_idle
            ):
                self._publisher.publish_operation(operation)
                self._work.mark_published(operation.id)
                done["republished_operations"] += 1
            initializing = self._work.operations_in([BatchOperationStatus.INITIALIZING], older_than=cutoff)
            for operation in initializing if initializer_idle else ():
                finished_chunks, _count = self._work.chunks_done(operation.id)
                self._publisher.publish_operation(
                    operation, only_chunks=set(range(operation.target_chunk_count)) - finished_chunks
                )
                self._work.touch(operation.id)
                done["resumed_initializations"] += 1
            # Claims our own processor still holds are slow, not abandoned: their renewal is late.
            held = self._held_claims()
            expired = [c.element for c in self._work.expired_leases() if c.claim not in held]
            if expired:
                done["requeued_elements"] += self._publisher.republish_elements(
                    self._work.requeue_expired(expired)
                )
            for operation in self._work.operations_in(_INITIALIZED, older_than=cutoff):
                if self._work.finish_from_elements(operation.id) is not None:
                    done["finished"] += 1
                    continue
                if processor_idle:
                    # No progress, elements still waiting, nothing consumed: their records are lost.
                    self._work.touch(operation.id)
                    done["requeued_elements"] += self._publisher.republish_elements(
                        self._work.unprocessed_elements(operation.id)
                    )
            # A delete that raced a chunk insert of a process that then crashed left elements.
            done["orphans_removed"] += self._work.sweep_deleted(settled_before=cutoff)
        except PublishError as exc:
            log.warning("recovery could not publish; will try again: %s", exc)
        if any(done.values()):
            log.info("recovery sweep: %s", done)
        return done


class Sweeper:
    """Runs ``Recovery.sweep`` at start and every ``interval`` seconds on its own thread."""

    def __init__(self, recovery: Recovery, interval: float, tenant_id: str) -> None:
        self._recovery = recovery
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sweeper-{tenant_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._recovery.sweep()
            except Exception:
                log.exception("recovery sweep failed")
            self._stop.wait(self._interval)
