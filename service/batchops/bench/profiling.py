"""Optional CPU profile of the bench's service process, for finding where its time goes.

With ``BENCH_PROFILE_DIR`` set (not a ``BATCHOPS_*`` name: the bench strips those from the
environment it passes on), ``batchops.bench.serve`` profiles every thread with yappi's CPU clock
from READY until it stops, and writes the functions with the most own and total CPU time to
``<dir>/profile-<pid>.txt``. yappi is not a dependency (``pip install yappi`` to use this), and
a profiled service is several times slower: profile runs are never measurement runs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PROFILE_DIR_ENV = "BENCH_PROFILE_DIR"
TOP_FUNCTIONS = 40


@contextlib.contextmanager
def cpu_profile() -> Iterator[None]:
    """Profile the block when ``BENCH_PROFILE_DIR`` is set; otherwise do nothing."""
    directory = os.environ.get(PROFILE_DIR_ENV)
    if not directory:
        yield
        return
    yappi: Any = importlib.import_module("yappi")
    yappi.set_clock_type("cpu")
    yappi.start(builtins=True, profile_threads=True)
    try:
        yield
    finally:
        yappi.stop()
        _write(yappi, Path(directory) / f"profile-{os.getpid()}.txt")


def _write(yappi: Any, path: Path) -> None:
    stats = list(yappi.get_func_stats())
    total = sum(stat.tsub for stat in stats) or 1.0
    lines = [f"CPU seconds profiled: {total:.3f}", "", "== own time (tsub)"]
    for stat in sorted(stats, key=lambda s: s.tsub, reverse=True)[:TOP_FUNCTIONS]:
        lines.append(f"{stat.tsub / total * 100:5.1f}% {stat.tsub:8.3f}s {stat.ncall:9d}  {_name(stat)}")
    lines += ["", "== total time (ttot)"]
    for stat in sorted(stats, key=lambda s: s.ttot, reverse=True)[:TOP_FUNCTIONS]:
        lines.append(f"{stat.ttot / total * 100:5.1f}% {stat.ttot:8.3f}s {stat.ncall:9d}  {_name(stat)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _name(stat: Any) -> str:
    module = str(stat.module)
    for marker in ("site-packages/", "lib/python3.11/", "service/"):
        if marker in module:
            module = module.split(marker, 1)[1]
            break
    return f"{stat.name} ({module}:{stat.lineno})"
