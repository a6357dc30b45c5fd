"""Runs the chosen scenarios in order on one set of servers and assembles the results document.

A scenario that fails is recorded under ``errors`` and the others still run; whatever a scenario
started is stopped by the scenario itself (context managers), whatever happens.
"""

from __future__ import annotations

import os
import platform
import secrets
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from batchops.bench.ceilings import measure_ceilings
from batchops.bench.context import BenchContext, Progress
from batchops.bench.invocation import run_invocation
from batchops.bench.latency import run_latency
from batchops.bench.pipeline import run_initialization, run_processing
from batchops.bench.repeats import combine
from batchops.bench.rss import run_rss
from batchops.bench.servers import BenchServers
from batchops.bench.targets import add_ratios, evaluate
from batchops.bench.watch import now

# The RSS scenario runs last: its large operation takes by far the longest.
SCENARIOS: tuple[str, ...] = ("ceilings", "init", "processing", "latency", "invocation", "rss")
SECTION = {
    "ceilings": "ceilings",
    "init": "initialization",
    "processing": "processing",
    "latency": "latency",
    "rss": "rss",
    "invocation": "invocation",
}


@dataclass(frozen=True)
class BenchSizes:
    """How much each scenario does (the full-size defaults)."""

    init_devices: int = 100_000
    process_devices: int = 50_000
    latency_samples: int = 30
    rss_devices: int = 1_000_000
    rss_small_devices: int = 10_000
    rss_timeout: float = 3600.0
    invocation_devices: int = 20_000
    update_sample: int = 20_000


@dataclass(frozen=True)
class BenchOptions:
    sizes: BenchSizes = BenchSizes()
    invocation_latencies_ms: tuple[float, ...] = (0.0, 5.0)
    only: tuple[str, ...] = SCENARIOS
    quick: bool = False
    repeat: int = 1  # runs of the chosen scenarios, judged on their medians (bench.repeats)

    def describe(self) -> dict[str, Any]:
        """One flat mapping for the results JSON (its readers predate the sizes' own class)."""
        flat = asdict(self)
        return {**flat.pop("sizes"), **flat}


QUICK: dict[str, Any] = {
    "init_devices": 5_000,
    "process_devices": 5_000,
    "latency_samples": 10,
    "rss_devices": 20_000,
    "rss_small_devices": 2_000,
    "rss_timeout": 300.0,
    "invocation_devices": 2_000,
    "update_sample": 2_000,
}


def make_options(quick: bool, only: Iterable[str] | None = None, **overrides: Any) -> BenchOptions:
    """Full-size defaults (or ``--quick`` ones), then every size override that is not None."""
    sizes = replace(BenchSizes(), **QUICK) if quick else BenchSizes()
    sizes = replace(sizes, **{key: value for key, value in overrides.items() if value is not None})
    options = BenchOptions(sizes=sizes, quick=quick)
    return options if only is None else replace(options, only=tuple(only))


def parse_only(text: str | None) -> tuple[str, ...]:
    """``"init,latency"`` -> ("init", "latency") in run order; ValueError naming unknown ones."""
    if not text:
        return SCENARIOS
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(names - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    return tuple(name for name in SCENARIOS if name in names)


def parse_latencies(text: str) -> tuple[float, ...]:
    """``"0,5"`` -> (0.0, 5.0); ValueError for an empty list or a negative or non-numeric value."""
    try:
        latencies = tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"invocation latencies must be numbers (ms), not {text!r}") from None
    if not latencies or any(latency < 0 for latency in latencies):
        raise ValueError(f"invocation latencies must be one or more non-negative numbers, not {text!r}")
    return latencies


@dataclass
class BenchRun:
    options: BenchOptions
    servers: BenchServers
    work_dir: Path
    progress: Progress
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))

    def _steps(self, ctx: BenchContext) -> dict[str, Callable[[], dict[str, Any]]]:
        o = self.options
        return {
            "ceilings": lambda: measure_ceilings(ctx, o.sizes.init_devices, o.sizes.update_sample),
            "init": lambda: run_initialization(ctx, o.sizes.init_devices),
            "processing": lambda: run_processing(ctx, o.sizes.process_devices),
            "latency": lambda: run_latency(ctx, o.sizes.latency_samples),
            "rss": lambda: run_rss(ctx, o.sizes.rss_devices, o.sizes.rss_small_devices, o.sizes.rss_timeout),
            "invocation": lambda: run_invocation(ctx, o.sizes.invocation_devices, o.invocation_latencies_ms),
        }

    def run(self) -> dict[str, Any]:
        """One results document; with ``repeat`` > 1, one per run combined (``bench.repeats``)."""
        meta = self._meta()
        repeat = self.options.repeat
        if repeat == 1:
            return self._run_once(self.run_id, meta)
        runs = []
        for number in range(1, repeat + 1):
            self.progress(f"=== run {number} of {repeat}")
            run_id = f"{self.run_id}-{number}"  # each run its own tenants, topics and databases
            runs.append(self._run_once(run_id, {"run_id": run_id, "durations_s": {}}))
        meta["finished"] = now().isoformat()
        return combine(meta, runs)

    def _run_once(self, run_id: str, meta: dict[str, Any]) -> dict[str, Any]:
        results: dict[str, Any] = {"meta": meta, "errors": {}}
        ctx = BenchContext(self.servers, run_id, self.work_dir / run_id, self.progress)
        results["meta"]["server_pids"] = ctx.server_pids
        try:
            steps = self._steps(ctx)
            for name in self.options.only:
                self.progress(f"== {name}")
                started = time.monotonic()
                try:
                    results[SECTION[name]] = steps[name]()
                except Exception as exc:
                    self.progress(f"!! {name} failed: {type(exc).__name__}: {exc}")
                    results["errors"][name] = f"{type(exc).__name__}: {exc}"
                results["meta"]["durations_s"][name] = round(time.monotonic() - started, 1)
        finally:
            ctx.close()
        add_ratios(results)
        results["targets"] = [target.as_dict() for target in evaluate(results)]
        results["meta"]["finished"] = now().isoformat()
        return results

    def _meta(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started": now().isoformat(),
            "host": platform.node(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "servers": self.servers.describe(),
            "options": self.options.describe(),
            "logs": str(self.work_dir / self.run_id),
            "durations_s": {},
            "code": code_state(),
        }


def code_state() -> dict[str, Any]:
    """The commit and the uncommitted files of ``service/`` (others may edit while a run goes)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10).stdout.rstrip(
                "\n"
            )
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "service").splitlines()]
    return {"commit": git("rev-parse", "HEAD") or None, "uncommitted_service_files": dirty}
