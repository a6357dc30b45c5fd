"""The outcomes of one consumer batch, made durable in bulk while its other handlers still run.

A crash repeats every handler call whose outcome was not yet stored, so outcomes are not held until
the whole batch is done: the processor flushes them as they come in (see ``Processor``). Each
flush first publishes the failed elements' records (confirmed), then records the outcomes
(compare-and-set on the claim, counters moved around them), so a failure record is never lost to
a crash between the two: at worst it is published twice.
A batch that failed because a report could not be sent keeps its unreported failures
(``keep_unreported``) for the processor's next batch to report and store; at a stop they are handed
back instead (``take_unreported``). The counters a flush raises are written
with the next counter write (or by ``finish``), and the operations' last errors once per batch.
A counter write also takes ``spare`` elements off Processing ahead, which the next flushes use up:
a flush mostly costs one element write per operation, and a counter write comes every ``spare``
outcomes.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence

from batchops import metrics
from batchops.domain import BatchElement, BatchOperation
from batchops.engine.ports import RecordSender, WorkPort
from batchops.messaging.codecs import encode_failed_element
from batchops.messaging.kafka import PublishError
from batchops.store.counters import Owed
from batchops.store.work.claims import ClaimedElement
from batchops.store.work.outcomes import ElementResult, count_by_operation

log = logging.getLogger(__name__)
# How long a failure report may take to be confirmed (the producer's own default).
DEFAULT_REPORT_SECONDS = 60.0


class BatchOutcomes:
    def __init__(
        self,
        tenant_id: str,
        work: WorkPort,
        producer: RecordSender,
        failed_topic: str,
        claimed: Sequence[ClaimedElement],
        operations: Mapping[uuid.UUID, BatchOperation],
        spare: int = 0,
    ) -> None:
        self._tenant = tenant_id
        # Processing taken off ahead per counter write (``Outcomes.record_results``): the batch's
        # flushes, often a few outcomes each, then mostly cost the element write alone.
        self._spare = spare
        self._unstored = count_by_operation(c.element.operation_id for c in claimed)  # bounds the spare
        self._work = work
        self._producer = producer
        self._failed_topic = failed_topic
        self._operations = operations
        self._claims = {c.element.id: c.claim for c in claimed}
        self._elements: dict[uuid.UUID, BatchElement] = {c.element.id: c.element for c in claimed}
        self._pending: list[ElementResult] = []
        self._owed: Owed = {}
        self._last_errors: dict[uuid.UUID, str] = {}
        self.settled: set[uuid.UUID] = set()
        self.recorded = 0

    @property
    def operation_ids(self) -> set[uuid.UUID]:
        return set(self._operations)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def add(self, result: ElementResult) -> None:
        self._pending.append(result)

    def flush(self, report_within: float = DEFAULT_REPORT_SECONDS) -> None:
        """Make the pending outcomes durable. On an exception the ones not stored stay pending
        (nothing is lost: the batch is not committed and its records come again).

        Successes are stored first: they need no report, so a broker that is away (the failure
        reports cannot be sent) must not keep them unstored and make them run again. A failure
        is reported (confirmed within ``report_within`` seconds) before it is stored: never lost,
        possibly reported twice."""
        self.flush_successes()
        failed = self._pending
        if failed:
            self._report_failures(failed, report_within)
            self._store(failed)
            self._pending = []

    def flush_successes(self) -> None:
        """Store the pending successes only (their failures' reports cannot be sent)."""
        succeeded = [r for r in self._pending if r.succeeded]
        if succeeded:
            self._store(succeeded)
            self._pending = [r for r in self._pending if not r.succeeded]

    def store_pending(
        self, reporting: bool = True, report_within: float = DEFAULT_REPORT_SECONDS
    ) -> PublishError | None:
        """``flush`` while failures can be reported, else ``flush_successes``. Returns the error
        of a report that could not be sent (its failures stay pending), so the caller stops
        reporting: each try may wait out a send timeout."""
        try:
            if reporting:
                self.flush(report_within)
            else:
                self.flush_successes()
        except PublishError as exc:
            return exc
        return None

    def _store(self, results: Sequence[ElementResult]) -> None:
        claims = {r.element_id: self._claims[r.element_id] for r in results}
        storing = count_by_operation(r.operation_id for r in results)
        spare = {op: min(self._spare, left - storing[op]) for op, left in self._unstored.items()}
        self.recorded += self._work.outcomes.record_results(results, claims, self._owed, spare)
        self._unstored.subtract(storing)  # after: results a failed write left pending come again
        self.settled.update(r.element_id for r in results)
        self._count(results)

    def keep_unreported(self) -> None:
        """The batch failed on a failure report that could not be sent: write what it owes now
        (the counters of the outcomes it stored; should that fail too they lag, as they always did
        after a failed batch), and take nothing off Processing ahead from here on. What is left is
        its pending failures, for a later ``flush`` and ``finish``."""
        self._spare = 0
        self.finish_or_lag()

    def take_unreported(self) -> list[ClaimedElement]:
        """The failures still waiting for their report, taken out: a stop hands them back."""
        failed = [r for r in self._pending if not r.succeeded]
        self._pending = [r for r in self._pending if r.succeeded]
        self.settled.update(r.element_id for r in failed)
        return [ClaimedElement(self._elements[r.element_id], self._claims[r.element_id]) for r in failed]

    def finish_or_lag(self) -> None:
        """``finish`` where a batch has failed already: counters it cannot write lag until
        recounted (never written twice later), as after any failed batch."""
        try:
            self.finish()
        except Exception:
            log.warning("counters of a failed batch not written; they lag until recounted", exc_info=True)
            self._owed.clear()

    def finish(self) -> None:
        """After the last flush: write the counters still owed and each operation's last error."""
        self._work.outcomes.settle(self._owed)
        for operation_id, error in self._last_errors.items():
            self._work.operations.record_error(operation_id, error)
        self._last_errors.clear()

    def _count(self, results: Sequence[ElementResult]) -> None:
        metrics.elements_processed(self._tenant, len(results))
        succeeded = sum(1 for r in results if r.succeeded)
        metrics.element_finished(self._tenant, "succeeded", succeeded)
        metrics.element_finished(self._tenant, "failed", len(results) - succeeded)
        by_type: dict[str, list[float]] = defaultdict(list)
        for result in results:
            by_type[self._operations[result.operation_id].operation_type].append(result.duration_ms / 1000)
        for operation_type, seconds in by_type.items():
            metrics.observe_handlers(self._tenant, operation_type, seconds)

    def _report_failures(self, results: Sequence[ElementResult], within: float) -> None:
        failed = [r for r in results if not r.succeeded]
        if not failed:
            return
        self._producer.send_all(
            self._failed_topic,
            (
                (
                    self._elements[r.element_id].device_token,
                    encode_failed_element(
                        self._operations[r.operation_id],
                        self._elements[r.element_id].device_token,
                        r.error,
                        r.element_id,
                    ),
                )
                for r in failed
            ),
            timeout=within,
        )
        for result in failed:
            token = self._elements[result.element_id].device_token
            self._last_errors[result.operation_id] = f"{token}: {result.error}"
