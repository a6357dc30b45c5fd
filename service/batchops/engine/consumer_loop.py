"""A consumer thread: take a batch, hand it over, commit only after the work is durable.

If handling a batch fails (e.g. the database is unreachable) nothing is lost: the consumer
rewinds to the batch's first offsets, so the same records come again after a pause. Commits are
sent without waiting for their answer (``messaging.offset_commits``): a failed one goes again
with the next; a commit that gets no answer at all replaces the consumer. While a batch runs
longer than ``LoopTiming.pause_after`` the consumer keeps polling, so a batch longer than
``max.poll.interval.ms`` does not cost the group membership. Those polls take the records already
fetched, up to a batch's worth, to carry into the next batch; then the assigned partitions are
paused. (A pause drops the fetched records and a resume fetches them again, which waits for the
long-poll fetch in flight: the carried batch runs meanwhile. A rewind is a seek, which waits the
same way.)
Anything else that breaks the loop (a crash) closes the consumer and starts a fresh one after a
growing backoff; the loop's state is visible to the engine (``running``) and as a metric.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from enum import StrEnum

from confluent_kafka import Consumer, KafkaException, Message, TopicPartition

from batchops import metrics
from batchops.engine import partition_hold as holds
from batchops.engine.loop_timing import LoopTiming
from batchops.engine.stall_watch import Backlog, StallWatch
from batchops.errors import BatchopsError, ErrorKind
from batchops.logs import log_context
from batchops.messaging.offset_commits import CommitCallback, CommitTracker, ConsumerWedged, close_within
from batchops.messaging.record_positions import first_offsets, next_offsets, usable_records
from batchops.retry import Backoff

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Message]], None]
# Builds a fresh consumer whose asynchronous commits report to the given callback.
ConsumerFactory = Callable[[CommitCallback], Consumer]
DEFAULT_TIMING = LoopTiming()
# How long a poll waits for an overdue commit's answer at a time, and for all of them.
COMMIT_POLL = 0.002
COMMIT_CONFIRM = 1.0


class Interrupted(BatchopsError):
    """Raised by a handler that gave up a batch because its engine is stopping. Nothing of the
    batch is committed; its work is idempotent, so whoever gets the records next redoes it."""

    kind = ErrorKind.UNAVAILABLE


class BatchAbandoned(BatchopsError):
    """The loop was stopped and the batch outlived the stop grace (it keeps running unowned)."""

    kind = ErrorKind.UNAVAILABLE


class LoopState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"  # crashed; a fresh consumer starts after the backoff
    STOPPED = "stopped"


class ConsumerLoop:
    def __init__(
        self,
        name: str,
        consumer_factory: ConsumerFactory,
        topic: str,
        handle_batch: BatchHandler,
        *,
        batch_size: int,
        tenant_id: str,
        timing: LoopTiming = DEFAULT_TIMING,
        backlog: Backlog | None = None,
    ) -> None:
        self.name = name
        self._factory = consumer_factory
        self._topic = topic
        self._handle = handle_batch
        self._batch_size = batch_size
        self._tenant = tenant_id
        self._poll_timeout = timing.poll_timeout
        self._backoff = timing.retry_backoff
        self._restart_backoff = timing.restart_backoff
        self._max_restart_backoff = timing.max_restart_backoff
        self._stop_grace = timing.stop_grace
        self._idle_resume = timing.idle_resume
        self._pause_after = timing.pause_after
        self._commit_timeout = timing.wedged.commit_timeout
        self._close_timeout = timing.wedged.close_timeout
        self._stall = StallWatch(backlog, timing.wedged.stall_timeout)
        self._next_idle_resume = 0.0
        self._give_up_at: float | None = None
        self._stop = threading.Event()
        self._resubscribe = threading.Event()
        self._assigned = threading.Event()
        self._state = LoopState.STARTING
        self._thread = threading.Thread(target=self._run, name=f"{name}-{tenant_id}", daemon=True)
        # Handlers run here while the loop thread keeps polling (one batch at a time).
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{name}-batch-{tenant_id}")
        self.failures = 0
        self._commits = CommitTracker(timing.retry_backoff)
        self._past_commit_failures = 0
        self.crashes = 0
        self.rebalances = 0
        self.batches_started = 0
        # Bumped by each assignment (in ``poll``, on this loop's thread): a batch pauses the
        # assignment again only after it changed, not on every poll (``assignment()`` waits on
        # librdkafka's main thread with the GIL held).
        self._assignments = 0
        # Records received while a batch held its partitions (positions already past them), for
        # the next batch; dropped on a revoke or a new consumer (the next owner reads them).
        self._carry: list[Message] = []

    def start(self) -> None:
        self._thread.start()

    def request_stop(self, give_up_at: float | None = None) -> None:
        """Take no more records, without waiting. A batch still running at ``give_up_at``
        (``time.monotonic``; default: the stop grace from when the loop notices) is left
        uncommitted and the member leaves its group: its records come again to the next owner."""
        if not self._stop.is_set():
            self._give_up_at = give_up_at
        self._stop.set()

    def stop(self, timeout: float = 30.0) -> None:
        self.request_stop()
        self._thread.join(timeout)
        self._worker.shutdown(wait=False)

    def resubscribe(self) -> None:
        """Start over with a fresh consumer (a new group member) at the next poll. Used when the
        topic was re-created: a member that joined while it was missing may keep an empty
        assignment although the topic is back."""
        self._resubscribe.set()

    def wait_assigned(self, timeout: float) -> bool:
        return self._assigned.wait(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def state(self) -> LoopState:
        return (
            self._state if self._thread.is_alive() or self._state is LoopState.STARTING else LoopState.STOPPED
        )

    @property
    def commit_failures(self) -> int:
        return self._past_commit_failures + self._commits.failures

    @property
    def running(self) -> bool:
        """True while a consumer is subscribed and polling (not crashed, restarting or stopped)."""
        return self.state is LoopState.RUNNING

    def _set_state(self, state: LoopState) -> None:
        self._state = state
        running = None if state is LoopState.STOPPED else state is LoopState.RUNNING
        metrics.consumer_running(self._tenant, self.name, running)

    def _run(self) -> None:
        with log_context(tenant=self._tenant, stage=self.name):
            consecutive = 0
            try:
                while not self._stop.is_set():
                    try:
                        self._consume()
                        consecutive = 0
                    except Exception:
                        self.crashes += 1
                        consecutive += 1
                        delay = Backoff(self._restart_backoff, self._max_restart_backoff).pause(consecutive)
                        self._set_state(LoopState.RESTARTING)
                        log.exception("consumer loop crashed; restarting in %.1f s", delay)
                        self._stop.wait(delay)
            finally:
                self._set_state(LoopState.STOPPED)
                if not self._stop.is_set():  # only a BaseException gets here
                    log.critical("consumer loop ended unexpectedly")

    def _consume(self) -> None:
        """One consumer's life: subscribe, poll until stopped (or a crash)."""
        self._carry.clear()
        self._past_commit_failures += self._commits.failures
        self._commits = commits = CommitTracker(self._backoff)
        consumer = self._factory(commits.on_commit)
        self._stall.progressed()
        try:
            consumer.subscribe([self._topic], on_assign=self._on_assign, on_revoke=self._on_revoke)
            self._set_state(LoopState.RUNNING)
            while not self._stop.is_set():
                if self._resubscribe.is_set():
                    self._resubscribe.clear()
                    log.info("re-subscribing with a fresh consumer")
                    return
                self._poll_once(consumer)
                self._raise_if_unanswered(consumer)
            commits.retry(consumer, now=True)  # the close waits for commits in flight
        finally:
            # Leaves the group at once, so partitions move without waiting; bounded, as a wedged
            # consumer's close waits for ever.
            close_within(consumer, self._close_timeout, self.name)

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        log.info("partitions assigned: %s", sorted(p.partition for p in partitions))
        # librdkafka keeps a partition's pause across a revoke and the next assignment: whatever
        # pause is left over (see ``LoopTiming.idle_resume``), an assignment starts resumed; a
        # batch still running pauses it again, as the generation below changed.
        try:
            consumer.assign(partitions)
            consumer.resume(partitions)
        except KafkaException as exc:
            log.warning("could not resume the new assignment: %s", exc.args[0])
        self._assignments += 1
        self._assigned.set()
        self._stall.progressed()

    def _on_revoke(self, _consumer: Consumer, partitions: list[TopicPartition]) -> None:
        # A batch in flight keeps running: its commit may then fail, and its records come again
        # to the partitions' next owner (handling is idempotent).
        self.rebalances += 1
        self._carry.clear()
        self._commits.forget()
        log.info("partitions revoked: %s", sorted(p.partition for p in partitions))

    def _poll_once(self, consumer: Consumer) -> None:
        records = self._next_batch(consumer)
        if not records:
            self._commits.retry(consumer)
            return
        try:
            self._handle_polling(consumer, records)
        except Interrupted:
            log.info("batch interrupted by shutdown; left uncommitted")
            self._rewind_batch(consumer, records)
        except BatchAbandoned:
            log.warning("stopping: batch still running at the stop deadline; its records come again")
            self._rewind_batch(consumer, records)
        except Exception:
            self.failures += 1
            log.exception("batch handling failed; will retry the same records")
            self._rewind_batch(consumer, records)
            self._stop.wait(self._backoff)

    def _next_batch(self, consumer: Consumer) -> list[Message]:
        """The records carried from the last batch, then what is already fetched, up to a batch.
        Without a carry, waits for the first record only: an idle pipeline reacts at once, a
        busy one still gets full batches."""
        taken = self._carry[: self._batch_size]
        del self._carry[: len(taken)]
        if not taken:
            first = consumer.poll(self._poll_timeout)
            if first is None:
                self._resume_when_idle(consumer)
                self._raise_if_stalled(consumer)
                return []
            taken = [first]
        self._stall.progressed()
        room = self._batch_size - len(taken)
        return usable_records([*taken, *consumer.consume(room, 0)] if room > 0 else taken)

    def _handle_polling(self, consumer: Consumer, records: Sequence[Message]) -> None:
        """Run the handler on the worker thread, then commit the records; if it runs longer than
        ``pause_after``, keep polling meanwhile, which keeps this member in its group however long
        the batch takes: the polls carry the next batch, then pause the assignment (see
        ``_keep_holding``). Raises the handler's error."""
        self.batches_started += 1
        future: Future[None] = self._worker.submit(self._handle, records)
        hold = holds.Hold()
        try:
            try:
                future.result(timeout=self._pause_after)
            except FutureTimeout:
                while True:
                    self._keep_holding(consumer, hold, 0, pause=False)
                    try:
                        future.result(timeout=self._poll_timeout)
                        break
                    except FutureTimeout:
                        pass
            self._commits.commit(consumer, next_offsets(records))
        finally:
            holds.release(consumer, hold)

    def _raise_if_unanswered(self, consumer: Consumer) -> None:
        """Replace a consumer whose commit went unanswered for ``commit_timeout``. An answer that
        came waits in the consumer's queue behind the records prefetched before it, so first
        pause the assignment (which drops those records: they are fetched again) and poll."""
        if self._stop.is_set() or not self._commit_overdue():
            return
        hold = holds.Hold()
        deadline = time.monotonic() + COMMIT_CONFIRM
        try:
            while self._commit_overdue():
                if time.monotonic() >= deadline:
                    raise ConsumerWedged(f"a commit got no answer within {self._commit_timeout:g} s")
                self._keep_holding(consumer, hold, COMMIT_POLL, pause=True)
        finally:
            holds.release(consumer, hold)

    def _commit_overdue(self) -> bool:
        sent = self._commits.oldest_unanswered()
        return sent is not None and time.monotonic() - sent >= self._commit_timeout

    def _keep_holding(self, consumer: Consumer, hold: holds.Hold, poll_timeout: float, pause: bool) -> None:
        """One turn of a hold: give up at the stop deadline; unless ``pause``, take what is fetched
        into the carry, up to a batch's worth; once that is carried (or with ``pause``), pause the
        assignment (what a rebalance assigned meanwhile too) and poll once. A pause drops what
        librdkafka fetched beyond the carry, so a hold holds at most a batch more than it runs."""
        if self._stop.is_set():
            hold.give_up_at = hold.give_up_at or self._give_up_at or time.monotonic() + self._stop_grace
            if time.monotonic() >= hold.give_up_at:
                raise BatchAbandoned()
        # Each poll serves heartbeats, rebalances and commit results. What it takes is carried
        # into the next batch (or rewound with this one if it fails).
        if not pause and len(self._carry) < self._batch_size:
            self._carry += usable_records(consumer.consume(self._batch_size - len(self._carry), poll_timeout))
            if len(self._carry) < self._batch_size:
                return
            poll_timeout = 0
        if hold.paused_at != self._assignments:
            generation = self._assignments
            if holds.pause_assignment(consumer, hold.paused):
                hold.paused_at = generation
        # Paused partitions deliver nothing; one a rebalance assigned since is paused next turn.
        self._carry += usable_records(consumer.consume(1, poll_timeout))

    def _resume_when_idle(self, consumer: Consumer) -> None:
        now = time.monotonic()
        if now >= self._next_idle_resume:
            self._next_idle_resume = now + self._idle_resume
            if assigned := holds.assignment_of(consumer):
                holds.resume(consumer, assigned)

    def _raise_if_stalled(self, consumer: Consumer) -> None:
        reason = self._stall.stalled(
            lambda: [p.partition for p in holds.assignment_of(consumer) if p.topic == self._topic]
        )
        if reason is not None:
            raise ConsumerWedged(reason)  # a crash: a fresh consumer replaces this one

    def _rewind_batch(self, consumer: Consumer, records: Sequence[Message]) -> None:
        """Rewind a failed batch, and the carried records behind it (they come again in order)."""
        records = [*records, *self._carry]
        self._carry.clear()
        for (topic, partition), offset in first_offsets(records).items():
            try:
                consumer.seek(TopicPartition(topic, partition, offset))
            except Exception:
                log.warning(
                    "could not rewind %s[%d]; the group's committed offset will be used", topic, partition
                )
