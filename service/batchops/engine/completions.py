"""Waiting for a batch's handler calls to come back, in groups worth one outcome write.

The processor stores outcomes as soon as some are in (group commit), and a handler slot is given
to the next element only once its outcome is stored. With quick handlers, the first call of a
round comes back within microseconds of its start, and writing it alone made every other write
hold one or two outcomes; the rest of the round then waits behind that write. So once the first
call is back, the others get a short moment (far shorter than a write) to come back too.

Calls come back through their round's completion queue (see ``engine.handler_pool``); a None on
it is a wake-up (a stop), never a call.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

from batchops.engine.handler_pool import Call, Completions

# How long the calls still running get after the first one came back (a database write takes
# tens of milliseconds on the development servers, one or more on a real MongoDB).
GATHER_SECONDS = 0.003


def come_back(completions: Completions, running: int, timeout: float) -> list[Call[Any]]:
    """The calls back within ``timeout`` (at most ``running`` are out): the first ones, then
    whatever else comes back within ``GATHER_SECONDS``. Returns early, possibly with none, when
    woken by a None (a stop)."""
    try:
        first = completions.get(timeout=max(timeout, 0.0))
    except Empty:
        return []
    if first is None:
        return []
    done: list[Call[Any]] = [first]
    gathered_by = time.monotonic() + GATHER_SECONDS
    while len(done) < running:
        try:
            call = completions.get(timeout=max(gathered_by - time.monotonic(), 0.0))
        except Empty:
            break
        if call is None:
            break
        done.append(call)
    return done


def take_back(completions: Completions, timeout: float) -> list[Call[Any]]:
    """The calls back within ``timeout``, without a gathering moment (a stop's last calls)."""
    done: list[Call[Any]] = []
    try:
        call = completions.get(timeout=max(timeout, 0.0))
    except Empty:
        return done
    while True:
        if call is not None:
            done.append(call)
        try:
            call = completions.get_nowait()
        except Empty:
            return done
