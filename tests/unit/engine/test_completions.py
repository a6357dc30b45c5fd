"""Calls coming back are gathered for one outcome write: the first ones, plus those that come
back right after; a stop or a slow call is not waited for."""

from __future__ import annotations

import threading
from queue import SimpleQueue
from typing import Any

from batchops.engine.completions import come_back, take_back
from batchops.engine.handler_pool import Call, Completions


def _calls(completions: Completions, count: int) -> list[Call[Any]]:
    return [Call(lambda: 1, (), completions) for _ in range(count)]


def test_calls_coming_back_together_are_gathered() -> None:
    completions: Completions = SimpleQueue()
    running = _calls(completions, 8)
    running[0].run()
    # The others come back from another thread right after the first (as quick handlers do).
    later = threading.Timer(0.0, lambda: [call.run() for call in running[1:]])
    later.start()
    later.join()
    assert come_back(completions, len(running), timeout=5) == running


def test_a_slow_call_is_left_running() -> None:
    completions: Completions = SimpleQueue()
    running = _calls(completions, 3)
    running[0].run()
    assert come_back(completions, len(running), timeout=5) == [running[0]]


def test_a_stop_wakes_the_wait_at_once() -> None:
    completions: Completions = SimpleQueue()
    completions.put(None)
    assert come_back(completions, 3, timeout=30) == []


def test_a_stop_during_the_gathering_returns_what_came_back() -> None:
    completions: Completions = SimpleQueue()
    running = _calls(completions, 3)
    running[0].run()
    completions.put(None)
    running[1].run()
    assert come_back(completions, len(running), timeout=5) == [running[0]]
    assert take_back(completions, timeout=5) == [running[1]]


def test_nothing_back_within_the_timeout() -> None:
    completions: Completions = SimpleQueue()
    _calls(completions, 2)
    assert come_back(completions, 2, timeout=0.01) == []
    assert take_back(completions, timeout=0.01) == []


def test_take_back_takes_everything_already_back_and_skips_wake_ups() -> None:
    completions: Completions = SimpleQueue()
    running = _calls(completions, 3)
    running[0].run()
    completions.put(None)
    running[2].run()
    assert take_back(completions, timeout=5) == [running[0], running[2]]
