"""Offset commits and consumer closes that never hold a consumer's thread for good.

librdkafka 2.16 can wedge a consumer's group-coordinator handle when its broker restarts (the
broker object the handle points at is decommissioned by a re-bootstrap; librdkafka issues #5511
and #5600): an OffsetCommit then waits in the coordinator's out-queue, timed out and queued again
every ``socket.timeout.ms``, for ever. A synchronous ``Consumer.commit`` waits with it, and so
does ``Consumer.close`` (it leaves the group through the same coordinator). The thread blocked
there never polls again: its partitions are lost, the group empties, and the tenant's records
stop being consumed until the process restarts.

So commits are asynchronous: their result comes back through the consumer's commit callback
(``on_commit``, served by ``poll`` on the consumer's own thread) into a ``CommitTracker``, and a
commit still unanswered after a deadline gets the consumer replaced. Closes run on a helper
thread and are waited for a bounded time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from batchops.errors import BatchopsError, ErrorKind

log = logging.getLogger(__name__)

CommitCallback = Callable[[KafkaError | None, list[TopicPartition]], None]


class ConsumerWedged(BatchopsError):
    """A commit got no answer within its deadline: this consumer is presumed wedged and must be
    replaced by a fresh one (a new librdkafka instance finds the coordinator again)."""

    kind = ErrorKind.UNAVAILABLE


class CommitTracker:
    """One consumer's asynchronous commits: the ones still unanswered, and the offsets of failed
    ones, sent again with the next commit.

    A consumer does not wait for its commits: the answer comes through the consumer's own queue,
    behind every record prefetched before it, so waiting would mean draining (and rewinding, or
    carrying) what was prefetched. Nothing needs the answer before the next batch: the work is
    durable, commits are cumulative per partition, and a partition that moves to another member
    is read from its committed offset. A failed commit's offsets are merged into the next commit,
    unless the partitions were revoked since (their next owner reads them again: at least once).

    Pass ``on_commit`` as the consumer's ``on_commit`` setting. Only the consumer's own thread
    (the one that polls and serves the callback) touches it.
    """

    def __init__(self, retry_interval: float = 1.0) -> None:
        self._unanswered: deque[tuple[float, int]] = deque()  # (sent at, generation), oldest first
        self._retry: dict[tuple[str, int], int] = {}
        self._generation = 0
        self._retry_interval = retry_interval
        self._retry_after = 0.0
        self.failures = 0

    def commit(self, consumer: Consumer, offsets: Sequence[TopicPartition]) -> None:
        """Send ``offsets`` (and those of failed commits), without waiting for the answer."""
        merged = dict(self._retry)
        self._retry.clear()
        for tp in offsets:
            key = (tp.topic, tp.partition)
            merged[key] = max(merged.get(key, -1), tp.offset)
        if not merged:
            return
        self._unanswered.append((time.monotonic(), self._generation))
        try:
            consumer.commit(
                offsets=[TopicPartition(t, p, o) for (t, p), o in merged.items()], asynchronous=True
            )
        except KafkaException as exc:  # refused at once (e.g. not in the group right now)
            self._unanswered.pop()
            self._failed(str(exc.args[0]), merged, self._generation)

    def retry(self, consumer: Consumer, now: bool = False) -> None:
        """Send the offsets of failed commits again (unless ``now``, at most once per retry
        interval): for a consumer that has no next batch to carry them."""
        if self._retry and (now or time.monotonic() >= self._retry_after):
            self.commit(consumer, [])

    def forget(self) -> None:
        """The assignment was revoked: offsets of failed commits are not sent again."""
        self._generation += 1
        self._retry.clear()

    def oldest_unanswered(self) -> float | None:
        """When the oldest unanswered commit was sent (``time.monotonic``), if any."""
        return self._unanswered[0][0] if self._unanswered else None

    def on_commit(self, error: KafkaError | None, partitions: list[TopicPartition]) -> None:
        if not self._unanswered:
            return
        _, generation = self._unanswered.popleft()
        failure = describe_failure(error, partitions)
        if failure is not None:
            self._failed(failure, {(p.topic, p.partition): p.offset for p in partitions}, generation)

    def _failed(self, failure: str, offsets: dict[tuple[str, int], int], generation: int) -> None:
        self.failures += 1
        log.warning("commit failed (%s); its offsets go with the next commit", failure)
        if generation != self._generation:
            return
        for key, offset in offsets.items():
            if offset >= 0:
                self._retry[key] = max(self._retry.get(key, -1), offset)
        self._retry_after = time.monotonic() + self._retry_interval


def describe_failure(error: KafkaError | None, partitions: Sequence[TopicPartition]) -> str | None:
    """What went wrong with a commit (its own error or any partition's), or ``None`` on success."""
    if error is not None:
        return str(error)
    failed = [f"{p.topic}[{p.partition}]: {p.error}" for p in partitions if p.error is not None]
    return "; ".join(failed) if failed else None


def close_within(consumer: Consumer, timeout: float, name: str) -> bool:
    """Close ``consumer`` (leaving its group) on a helper thread and wait at most ``timeout``
    seconds; a close still running then is left to finish in the background. True if it ended.

    Nothing else may use the consumer from the call on."""

    def close() -> None:
        try:
            consumer.close()
        except Exception:
            log.warning("closing the consumer failed", exc_info=True)

    closer = threading.Thread(target=close, name=f"{name}-close", daemon=True)
    closer.start()
    closer.join(timeout)
    if closer.is_alive():
        log.warning("closing the consumer did not end within %.0f s; it goes on in the background", timeout)
        return False
    return True
