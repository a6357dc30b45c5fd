"""CPU time of the processes a stage keeps busy (service, servers, simulator), read from the OS at
the stage's start and end: user + system seconds of each process and its descendants."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Mapping
from typing import Any

import psutil

from batchops.bench.stats import cpu_figures

# The order of the processes in the results and the printed table.
ROLES: tuple[str, ...] = ("service", "mongo", "kafka", "zookeeper", "simulator")


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` and its live descendants, plus those of their
    children already reaped (None if ``pid`` is gone or not ours to read)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
        root.cpu_times()  # fail here, not silently below, when the root cannot be read
    except psutil.Error:
        return None
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
    return total


class CpuMeter:
    """CPU seconds of named processes between ``start`` and ``stop``; a role whose pid is None
    (not known) is reported with unknown figures, never guessed."""

    def __init__(self, pids: Mapping[str, int | None], window: str) -> None:
        self._pids = {role: pids[role] for role in ROLES if role in pids}
        self._window = window
        self._before: dict[str, float | None] = {}
        self._started = 0.0

    def start(self) -> CpuMeter:
        self._before = self._sample()
        self._started = time.monotonic()
        return self

    def stop(self, elements: int) -> dict[str, Any]:
        """The ``cpu`` mapping of the results: the window, and each process's figures."""
        wall = time.monotonic() - self._started
        after = self._sample()
        processes = {}
        for role, pid in self._pids.items():
            before, now = self._before.get(role), after[role]
            used = now - before if before is not None and now is not None else None
            processes[role] = {"pid": pid, **cpu_figures(used, elements, wall)}
        return {"elements": elements, "wall_seconds": wall, "window": self._window, "processes": processes}

    def _sample(self) -> dict[str, float | None]:
        return {role: None if pid is None else tree_cpu_seconds(pid) for role, pid in self._pids.items()}
