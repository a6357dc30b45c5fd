"""The stall watch on a fake clock: a consumer that received nothing for the timeout is wedged
only if records wait on its assigned partitions on two checks ``confirm`` apart; anything
received in between, an empty assignment, an unreadable backlog or no backlog source at all
clear it."""

from __future__ import annotations

from collections.abc import Sequence

from batchops.engine.stall_watch import StallWatch

TIMEOUT, CONFIRM = 60.0, 5.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Backlog:
    """Records waiting per partition; counts the questions asked."""

    def __init__(self, waiting: dict[int, int]) -> None:
        self.waiting = waiting
        self.asked: list[list[int]] = []
        self.broken = False

    def __call__(self, partitions: Sequence[int]) -> int:
        self.asked.append(list(partitions))
        if self.broken:
            raise RuntimeError("broker away")
        return sum(self.waiting.get(p, 0) for p in partitions)


def watch(backlog: Backlog | None, clock: Clock) -> StallWatch:
    return StallWatch(backlog, TIMEOUT, CONFIRM, clock=clock)


def assigned() -> list[int]:
    return [0, 1]


def test_nothing_is_asked_before_the_timeout() -> None:
    clock, backlog = Clock(), Backlog({0: 5})
    stall = watch(backlog, clock)
    clock.now += TIMEOUT - 0.1
    assert stall.stalled(assigned) is None
    assert backlog.asked == []


def test_records_waiting_on_two_checks_mean_a_wedge() -> None:
    clock, backlog = Clock(), Backlog({1: 3})
    stall = watch(backlog, clock)
    clock.now += TIMEOUT
    assert stall.stalled(assigned) is None  # suspected: they may just have been published
    clock.now += CONFIRM - 0.1
    assert stall.stalled(assigned) is None  # not asked again before the confirmation is due
    clock.now += 0.1
    reason = stall.stalled(assigned)
    assert reason is not None and "3 record(s)" in reason and "65 s" in reason
    assert backlog.asked == [[0, 1], [0, 1]]


def test_a_record_received_between_the_checks_clears_the_suspicion() -> None:
    clock, backlog = Clock(), Backlog({0: 2})
    stall = watch(backlog, clock)
    clock.now += TIMEOUT
    assert stall.stalled(assigned) is None
    stall.progressed()
    clock.now += CONFIRM
    assert stall.stalled(assigned) is None
    assert len(backlog.asked) == 1  # the next check is a whole timeout away again
    clock.now += TIMEOUT
    assert stall.stalled(assigned) is None  # and it starts a new suspicion
    clock.now += CONFIRM
    assert stall.stalled(assigned) is not None


def test_an_idle_topic_is_not_a_stall() -> None:
    clock, backlog = Clock(), Backlog({})
    stall = watch(backlog, clock)
    for _ in range(3):
        clock.now += TIMEOUT
        assert stall.stalled(assigned) is None
    assert len(backlog.asked) == 3  # once per timeout, not on every idle poll


def test_no_assignment_an_unreadable_backlog_or_no_source_is_never_a_stall() -> None:
    clock, backlog = Clock(), Backlog({0: 9})
    stall = watch(backlog, clock)
    clock.now += TIMEOUT
    assert stall.stalled(list) is None  # nothing assigned: nothing asked
    assert backlog.asked == []
    backlog.broken = True
    for _ in range(3):
        clock.now += TIMEOUT
        assert stall.stalled(assigned) is None  # a broker outage is not a wedge
    unsourced = watch(None, clock)
    clock.now += 10 * TIMEOUT
    assert unsourced.stalled(assigned) is None
