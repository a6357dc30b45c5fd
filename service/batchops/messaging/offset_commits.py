"""Offset commits and consumer closes that never hold a consumer's thread for good.

librdkafka 2.16 can wedge a consumer's group-coordinator handle when its broker restarts (the
broker object the handle points at is decommissioned by a re-bootstrap; librdkafka issues #5511
and #5600): an OffsetCommit then waits in the coordinator's out-queue, timed out and queued again
every ``socket.timeout.ms``, for ever. A synchronous ``Consumer.commit`` waits with it, and so
does ``Consumer.close`` (it leaves the group through the same coordinator). The thread blocked
there never polls again: its partitions are lost, the group empties, and the tenant's records
stop being consumed until the process restarts.

So commits are asynchronous: their result comes back through the consumer's commit callback
(``on_commit``, served by ``poll`` on the consumer's own thread) into a ``CommitResult``, and the
caller gives up after a deadline (and replaces the consumer). Closes run on a helper thread and
are waited for a bounded time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from confluent_kafka import Consumer, KafkaError, TopicPartition

from batchops.errors import BatchopsError, ErrorKind

log = logging.getLogger(__name__)

CommitCallback = Callable[[KafkaError | None, list[TopicPartition]], None]


class CommitFailed(BatchopsError):
    """The broker refused or could not take the commit (e.g. UNKNOWN_MEMBER_ID after an
    eviction, or the coordinator moved): the work is durable, so its records may simply come again."""

    kind = ErrorKind.UNAVAILABLE


class ConsumerWedged(BatchopsError):
    """A commit got no answer within its deadline: this consumer is presumed wedged and must be
    replaced by a fresh one (a new librdkafka instance finds the coordinator again)."""

    kind = ErrorKind.UNAVAILABLE


class CommitResult:
    """The outcome of one consumer's commit in flight (one at a time), set by its commit callback.

    Pass ``on_commit`` as the consumer's ``on_commit`` setting; call ``expect`` before each
    asynchronous commit. Only the consumer's own thread (the one that polls) touches it.
    """

    def __init__(self) -> None:
        self._pending = False
        self._error: str | None = None

    def expect(self) -> None:
        self._pending = True
        self._error = None

    def on_commit(self, error: KafkaError | None, partitions: list[TopicPartition]) -> None:
        if not self._pending:
            return  # a result that comes after its waiter gave up (and rewound) changes nothing
        self._pending = False
        self._error = describe_failure(error, partitions)

    @property
    def pending(self) -> bool:
        return self._pending

    def raise_for_failure(self) -> None:
        if self._error is not None:
            raise CommitFailed(self._error)


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
