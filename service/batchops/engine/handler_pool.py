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
from concurrent.futures import CancelledError, Future
from queue import Empty, SimpleQueue
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
        self._completions: Completions | None = completions
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = False

    def result(self) -> T:
        """What the function returned; raises what it raised (``CancelledError``: it never ran)."""
        if not self._done:
            raise RuntimeError("a call is read only once it came back through its queue")
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]

    def exception(self) -> BaseException | None:
        """What the function raised, if it did (read only once back, as ``result``)."""
        return self._error if self._done else None

    def run(self) -> None:
        """In a worker: never raises (what the function raised is kept for ``result``)."""
        fn, args = self._fn, self._args
        self._fn, self._args = None, ()
        try:
            if fn is None:
                raise RuntimeError("a call runs once")
            self._value = fn(*args)
        except BaseException as exc:  # handed to the reader, as a Future would
            self._error = exc
        self._come_back()
        # The error's traceback holds this frame: no cycle through the call (as concurrent.futures).
        del self

    def cancel(self) -> None:
        """Come back without running (the pool was shut down before a worker took it)."""
        fn, args = self._fn, self._args
        self._fn, self._args = None, ()
        if fn is _settle_future and args:
            args[0].cancel()
        self._error = CancelledError()
        self._come_back()

    def _come_back(self) -> None:
        # The queue is let go first: a call left on an abandoned round's queue must not keep it.
        completions, self._completions = self._completions, None
        self._done = True
        if completions is not None:
            completions.put(self)


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
        """Run ``fn(*args)`` on a worker; the call is put on ``completions`` once it returned (or,
        if the pool is shut down before a worker takes it, once canceled)."""
        call = Call(fn, args, completions)
        with self._lock:  # against ``shutdown``: a call is either queued before it, or refused
            if self._closed:
                raise RuntimeError(f"handler pool {self._name} is shut down")
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
        """Start nothing more: calls no worker took yet come back canceled, and each worker ends
        once its current call returned (not waited for)."""
        with self._lock:
            self._closed = True
            queued: list[Call[Any]] = []
            while True:
                try:
                    task = self._tasks.get_nowait()
                except Empty:
                    break
                if task is not None:
                    queued.append(task)
            for _ in self._threads:
                self._tasks.put(None)
        for call in queued:
            call.cancel()

    def _spawn(self) -> None:
        """Under the lock: all the workers at once (a pool is made per processor, used at once)."""
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
