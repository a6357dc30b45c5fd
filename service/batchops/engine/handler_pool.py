"""The threads that run a processor's handler calls, and the calls they run.

A ``ThreadPoolExecutor`` cost each handler call about 20 µs of hand-off CPU here (its Future with a
condition and a lock, the executor's locks and semaphores, and the waiters that ``wait`` installs
on every running future, twice a round), a tenth of a no-op element's whole processing. Here a
call is a plain slot object that one worker fills in; it reports back by being put on the
completion queue its starter gave it. The queue (a ``SimpleQueue``) is the only synchronisation:
its put and get order the worker's writes before the reader's reads, so a call taken from the
queue is complete. A call is only read after it came back through its queue.

The workers are daemon threads: a handler call blocked on a hung dependency must not keep the
process from exiting once the stop's grace is spent (an executor's threads are joined at exit).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from queue import SimpleQueue
from typing import Any, Generic, TypeVar

T = TypeVar("T")

# What a completion queue carries: calls that came back, or None to wake its reader (a stop).
Completions = SimpleQueue["Call[Any] | None"]


class Call(Generic[T]):
    """One function call run by a worker. Read it only once it came back through its queue."""

    __slots__ = ("_args", "_completions", "_done", "_error", "_fn", "_value")

    def __init__(self, fn: Callable[..., T], args: tuple[Any, ...], completions: Completions) -> None:
        self._fn: Callable[..., T] | None = fn
        self._args = args
        self._completions = completions
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = False

    def result(self) -> T:
        """What the function returned; raises what it raised."""
        if not self._done:
            raise RuntimeError("a call is read only once it came back through its queue")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def run(self) -> None:
        """In a worker: never raises (what the function raised is kept for ``result``)."""
        fn, self._fn = self._fn, None
        try:
            assert fn is not None, "a call runs once"
            self._value = fn(*self._args)
        except BaseException as exc:  # handed to the reader, as a Future would
            self._error = exc
        finally:
            self._args = ()
            self._done = True
            self._completions.put(self)


class HandlerPool:
    """``workers`` daemon threads, started with the first call; ``shutdown`` lets them end once
    their current call returns (it does not wait for them)."""

    def __init__(self, workers: int, name: str) -> None:
        if workers < 1:
            raise ValueError(f"a handler pool needs at least one worker, not {workers}")
        self._workers = workers
        self._name = name
        self._tasks: SimpleQueue[Call[Any] | None] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self, completions: Completions, fn: Callable[..., T], *args: Any) -> Call[T]:
        """Run ``fn(*args)`` on a worker; the call is put on ``completions`` once it returned."""
        if self._closed:
            raise RuntimeError(f"handler pool {self._name} is shut down")
        call = Call(fn, args, completions)
        if len(self._threads) < self._workers:
            self._spawn()
        self._tasks.put(call)
        return call

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """``fn(*args)`` on a worker, as a ``Future`` (for the few calls that are waited on with
        others, such as a batch's preparation; handler calls use ``start``)."""
        future: Future[T] = Future()
        relay: Completions = SimpleQueue()
        call = self.start(relay, _settle_future, future, fn, args)
        del call  # the future tells the outcome; the relay queue is dropped with it
        return future

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            for _ in self._threads:
                self._tasks.put(None)

    def _spawn(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError(f"handler pool {self._name} is shut down")
            while len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while (call := self._tasks.get()) is not None:
            call.run()


def _settle_future(future: Future[T], fn: Callable[..., T], args: tuple[Any, ...]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(fn(*args))
    except BaseException as exc:  # handed to the future's reader
        future.set_exception(exc)
