"""Waiting for a batch's handler calls to come back, in groups worth one outcome write.

The processor stores outcomes as soon as some are in (group commit), and a handler slot is given
to the next element only once its outcome is stored. With quick handlers, the first call of a
round comes back within microseconds of its start, and writing it alone made every other write
hold one or two outcomes; the rest of the round then waits behind that write. So once the first
call is back, the others get a short moment (far shorter than a write) to come back too.
"""

from __future__ import annotations

from collections.abc import Collection
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, wait
from typing import Any

# How long the calls still running get after the first one came back (a database write takes
# tens of milliseconds on the development servers, one or more on a real MongoDB).
GATHER_SECONDS = 0.003


def come_back(running: Collection[Future[Any]], signal: Future[Any], timeout: float) -> set[Future[Any]]:
    """The futures done within ``timeout`` (the stop ``signal`` among them once set): the first
    ones, then whatever else of ``running`` comes back within ``GATHER_SECONDS``."""
    done, _ = wait([*running, signal], timeout=timeout, return_when=FIRST_COMPLETED)
    if not done or signal in done or len(done) >= len(running):
        return done
    more, _ = wait([f for f in running if f not in done], timeout=GATHER_SECONDS, return_when=ALL_COMPLETED)
    return done | more
