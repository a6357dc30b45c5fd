"""A consumer's asynchronous commits: nothing waits for their answers, and the offsets of a
failed one go again with the next commit unless their partitions were revoked meanwhile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from batchops.messaging.offset_commits import CommitTracker


class CommitRecorder:
    """Stands in for a consumer's ``commit``: records what is sent, or refuses it."""

    def __init__(self) -> None:
        self.sent: list[dict[tuple[str, int], int]] = []
        self.refuse = False

    def commit(self, offsets: Sequence[TopicPartition], asynchronous: bool) -> None:
        assert asynchronous
        if self.refuse:
            raise KafkaException(KafkaError(KafkaError._STATE, "not in the group"))
        self.sent.append({(tp.topic, tp.partition): tp.offset for tp in offsets})

    def as_consumer(self) -> Consumer:
        return cast(Consumer, self)


def _offsets(**by_partition: int) -> list[TopicPartition]:
    return [TopicPartition("t", int(p[1:]), o) for p, o in by_partition.items()]


def _failed(tracker: CommitTracker, offsets: list[TopicPartition]) -> None:
    tracker.on_commit(KafkaError(KafkaError.REBALANCE_IN_PROGRESS), offsets)


def test_commits_are_sent_without_waiting_and_answers_clear_them_in_order() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker()
    tracker.commit(recorder.as_consumer(), _offsets(p0=10))
    first = tracker.oldest_unanswered()
    tracker.commit(recorder.as_consumer(), _offsets(p0=20))
    assert recorder.sent == [{("t", 0): 10}, {("t", 0): 20}]
    tracker.on_commit(None, _offsets(p0=10))
    second = tracker.oldest_unanswered()
    assert first is not None and second is not None and second >= first
    tracker.on_commit(None, _offsets(p0=20))
    assert tracker.oldest_unanswered() is None and tracker.failures == 0


def test_a_failed_commit_goes_again_with_the_next_one() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker()
    tracker.commit(recorder.as_consumer(), _offsets(p0=10, p1=5))
    _failed(tracker, _offsets(p0=10, p1=5))
    tracker.commit(recorder.as_consumer(), _offsets(p0=30))
    assert recorder.sent[-1] == {("t", 0): 30, ("t", 1): 5}
    assert tracker.failures == 1


def test_offsets_of_a_failed_commit_are_dropped_once_their_partitions_are_revoked() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker()
    tracker.commit(recorder.as_consumer(), _offsets(p0=10))
    _failed(tracker, _offsets(p0=10))
    tracker.forget()
    tracker.commit(recorder.as_consumer(), _offsets(p1=3))
    assert recorder.sent[-1] == {("t", 1): 3}


def test_an_answer_that_comes_after_a_revoke_is_not_sent_again() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker()
    tracker.commit(recorder.as_consumer(), _offsets(p0=10))
    tracker.forget()
    _failed(tracker, _offsets(p0=10))
    tracker.retry(recorder.as_consumer(), now=True)
    assert recorder.sent == [{("t", 0): 10}]


def test_a_commit_refused_at_once_is_kept_for_the_next_one() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker()
    recorder.refuse = True
    tracker.commit(recorder.as_consumer(), _offsets(p0=10))
    assert tracker.oldest_unanswered() is None and tracker.failures == 1
    recorder.refuse = False
    tracker.commit(recorder.as_consumer(), _offsets(p1=1))
    assert recorder.sent == [{("t", 0): 10, ("t", 1): 1}]


def test_retries_without_a_next_batch_wait_for_the_interval() -> None:
    recorder, tracker = CommitRecorder(), CommitTracker(retry_interval=3600.0)
    tracker.commit(recorder.as_consumer(), _offsets(p0=10))
    _failed(tracker, _offsets(p0=10))
    tracker.retry(recorder.as_consumer())
    assert len(recorder.sent) == 1
    tracker.retry(recorder.as_consumer(), now=True)
    assert recorder.sent[-1] == {("t", 0): 10}


def test_an_answer_nobody_waits_for_changes_nothing() -> None:
    tracker = CommitTracker()
    tracker.on_commit(cast(Any, None), _offsets(p0=1))
    assert tracker.oldest_unanswered() is None and tracker.failures == 0
