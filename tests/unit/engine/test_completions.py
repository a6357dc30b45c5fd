"""Calls coming back are gathered for one outcome write: the first ones, plus those that come
back right after; a stop or a slow call is not waited for."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from batchops.engine.completions import come_back


def futures(count: int) -> list[Future[Any]]:
    return [Future() for _ in range(count)]


def test_calls_coming_back_together_are_gathered() -> None:
    running, signal = futures(8), Future[Any]()
    running[0].set_result(1)
    # The others come back from another thread right after the first (as quick handlers do).
    later = threading.Timer(0.0, lambda: [f.set_result(1) for f in running[1:]])
    later.start()
    later.join()
    assert come_back(running, signal, timeout=5) == set(running)


def test_a_slow_call_is_left_running() -> None:
    running, signal = futures(3), Future[Any]()
    running[0].set_result(1)
    done = come_back(running, signal, timeout=5)
    assert done == {running[0]}


def test_a_stop_is_returned_at_once() -> None:
    running, signal = futures(3), Future[Any]()
    signal.set_result(None)
    assert signal in come_back(running, signal, timeout=5)


def test_nothing_back_within_the_timeout() -> None:
    assert come_back(futures(2), Future(), timeout=0.01) == set()
