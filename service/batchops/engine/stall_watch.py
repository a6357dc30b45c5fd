"""Telling a consumer whose fetching wedged from one that simply has nothing to read.

A safeguard, not the fix of an observed fault: librdkafka's re-bootstrap after a broker restart
decommissions broker objects that handles may still point at (librdkafka #5511/#5600), which
wedged commits here (``messaging.offset_commits``) and could as well stop a consumer's fetching
while it stays in its group with its partitions assigned. Nothing in the consumer's own API tells
that from an idle topic, so when the consumer has received nothing for ``timeout`` seconds, the
records waiting on its assigned partitions are asked from the broker through another client.
Records waiting on two checks ``confirm`` seconds apart, with nothing received in between, mean a
wedged consumer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)

# Given partition numbers of the consumed topic: how many of their records are not committed yet.
Backlog = Callable[[Sequence[int]], int]


class StallWatch:
    def __init__(
        self,
        backlog: Backlog | None,
        timeout: float,
        confirm: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backlog = backlog  # None: never stalled (nothing to ask)
        self._timeout = timeout
        self._confirm = confirm
        self._clock = clock
        self._last_progress = clock()
        self._next_check = self._last_progress + timeout
        self._suspected = False

    def progressed(self) -> None:
        """Records came, or a new assignment started: the consumer is not stalled."""
        self._last_progress = self._clock()
        self._next_check = self._last_progress + self._timeout
        self._suspected = False

    def stalled(self, assignment: Callable[[], Sequence[int]]) -> str | None:
        """Called while idle; why the consumer is presumed wedged, or ``None``. ``assignment``
        (the assigned partition numbers) is asked only when a check is due."""
        now = self._clock()
        if self._backlog is None or now < self._next_check:
            return None
        assigned = assignment()
        if not assigned:
            self._next_check = now + self._timeout
            return None
        try:
            waiting = self._backlog(assigned)
        except Exception as exc:  # the broker is away: an outage, not a wedge
            log.debug("backlog check failed: %s", exc)
            waiting = 0
        if waiting <= 0:
            self._suspected = False
            self._next_check = now + self._timeout
            return None
        if not self._suspected:
            self._suspected = True  # records may just have been published: look again shortly
            self._next_check = now + self._confirm
            return None
        idle = now - self._last_progress
        return f"{waiting} record(s) wait on the assigned partitions, none received for {idle:.0f} s"
