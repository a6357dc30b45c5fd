"""The handler pool: calls run on its daemon workers and come back through the queue given with
them, what a call raised is kept for its reader, and a shut-down pool starts nothing more."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import CancelledError
from queue import SimpleQueue
from typing import Any

import pytest

from batchops.engine.handler_pool import Call, Completions, HandlerPool


def _fail(message: str) -> None:
    raise ValueError(message)


def test_calls_come_back_through_their_queue_with_their_results() -> None:
    pool = HandlerPool(4, "test-pool")
    completions: Completions = SimpleQueue()
    calls = [pool.start(completions, lambda x: x * 2, i) for i in range(50)]
    back = [completions.get(timeout=30) for _ in calls]
    assert set(back) == set(calls)
    assert sorted(call.result() for call in calls) == [i * 2 for i in range(50)]
    pool.shutdown()


def test_what_a_call_raised_is_raised_by_its_result_and_the_worker_goes_on() -> None:
    pool = HandlerPool(1, "test-pool")
    completions: Completions = SimpleQueue()
    failing = pool.start(completions, _fail, "boom")
    assert completions.get(timeout=30) is failing
    with pytest.raises(ValueError, match="boom"):
        failing.result()
    after = pool.start(completions, lambda: "still here")
    assert completions.get(timeout=30) is after and after.result() == "still here"
    pool.shutdown()


def test_a_call_is_not_read_before_it_came_back() -> None:
    call: Call[Any] = Call(lambda: 1, (), SimpleQueue())
    with pytest.raises(RuntimeError, match="came back"):
        call.result()


def test_runs_up_to_its_workers_at_once_on_daemon_threads() -> None:
    name = f"test-pool-{uuid.uuid4().hex[:8]}"  # no other test's threads
    pool = HandlerPool(3, name)
    completions: Completions = SimpleQueue()
    release, lock = threading.Event(), threading.Lock()
    inside: list[threading.Thread] = []

    def hold() -> None:
        with lock:
            inside.append(threading.current_thread())
        release.wait(30)

    calls = [pool.start(completions, hold) for _ in range(5)]
    started = [t for t in threading.enumerate() if t.name.startswith(f"{name}_")]
    assert len(started) == 3 and all(t.daemon for t in started)
    release.set()
    for _ in calls:
        completions.get(timeout=30)
    assert len(set(inside)) <= 3
    pool.shutdown()


def test_submit_gives_a_future_for_calls_waited_on_with_others() -> None:
    pool = HandlerPool(2, "test-pool")
    assert pool.submit(lambda a, b: a + b, 2, 3).result(timeout=30) == 5
    with pytest.raises(ValueError, match="bad"):
        pool.submit(_fail, "bad").result(timeout=30)
    pool.shutdown()


def test_a_shut_down_pool_starts_nothing_and_its_workers_end() -> None:
    name = f"test-pool-{uuid.uuid4().hex[:8]}"
    pool = HandlerPool(2, name)
    completions: Completions = SimpleQueue()
    pool.start(completions, lambda: None)
    completions.get(timeout=30)
    pool.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.start(completions, lambda: None)
    for thread in [t for t in threading.enumerate() if t.name.startswith(f"{name}_")]:
        thread.join(timeout=30)
        assert not thread.is_alive()


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        HandlerPool(0, "none")


def test_shutdown_cancels_the_calls_no_worker_took_yet() -> None:
    # Regression: queued calls ran after the shutdown (on elements already handed back).
    pool = HandlerPool(1, f"test-pool-{uuid.uuid4().hex[:8]}")
    completions: Completions = SimpleQueue()
    started, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def hold() -> bool:
        started.set()
        return release.wait(30)

    busy = pool.start(completions, hold)
    assert started.wait(30)  # the one worker is taken
    queued = pool.start(completions, ran.append, "ran")
    prepared = pool.submit(ran.append, "prepared")
    pool.shutdown()
    assert completions.get(timeout=30) is queued
    with pytest.raises(CancelledError):
        queued.result()
    assert prepared.cancelled()
    release.set()
    assert completions.get(timeout=30) is busy and busy.result() is True
    assert ran == []


class _ShutdownWhilePutting:
    """The pool's task queue, calling ``shutdown`` from another thread in the middle of a put."""

    def __init__(self, pool: HandlerPool) -> None:
        self.queue: SimpleQueue[Any] = SimpleQueue()
        self.pool, self.armed = pool, False

    def put(self, item: Any) -> None:
        if self.armed and item is not None:
            self.armed = False
            closer = threading.Thread(target=self.pool.shutdown)
            closer.start()
            closer.join(0.5)  # without the pool's lock it ends here; with it, it waits for us
        self.queue.put(item)

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        return self.queue.get(block, timeout)

    def get_nowait(self) -> Any:
        return self.queue.get_nowait()


def test_a_call_started_as_the_pool_shuts_down_still_comes_back() -> None:
    # Regression: a start racing a shutdown queued its call behind the workers' stop marks: lost.
    pool = HandlerPool(1, f"test-pool-{uuid.uuid4().hex[:8]}")
    tasks = _ShutdownWhilePutting(pool)
    pool._tasks = tasks  # type: ignore[assignment]
    completions: Completions = SimpleQueue()
    pool.start(completions, lambda: None)
    completions.get(timeout=30)
    tasks.armed = True
    racing = pool.start(completions, lambda: "ran")
    assert completions.get(timeout=30) is racing  # ran, or canceled by the shutdown: never lost
