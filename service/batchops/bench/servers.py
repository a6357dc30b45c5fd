"""The servers a benchmark runs on: a dev stack of its own (started, and stopped at the end unless
kept), or servers the caller names."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from batchops.devstack import DevStack, Endpoints, Ports, default_state_dir
from batchops.devstack.locking import file_lock

BENCH_PORTS = Ports(kafka=29292, mongo=27317, zookeeper=22181, kafka_controller=29293)
# The bench stack keeps MongoDB data on disk: a 1,000,000-element operation does not fit in
# SecantusDB's in-memory mode (its cache is 256 MB), and on-disk is what a deployment runs.
MONGO_STORAGE = "on-disk"


@dataclass(frozen=True)
class BenchServers:
    endpoints: Endpoints
    mode: str  # "started" (our dev stack) or "given"
    mongo_storage: str
    state_dir: Path | None

    def describe(self) -> dict[str, str]:
        return {
            "mode": self.mode,
            "mongo_storage": self.mongo_storage,
            "kafka": self.endpoints.kafka_bootstrap,
            "mongo": self.endpoints.mongo_uri,
            "zookeeper": self.endpoints.zk_hosts,
        }


def bench_state_dir() -> Path:
    return default_state_dir() / "bench"


@contextlib.contextmanager
def given_servers(kafka: str, mongo_uri: str, zk: str | None) -> Iterator[BenchServers]:
    yield BenchServers(Endpoints(kafka, mongo_uri, zk or "-"), "given", "as configured", None)


@contextlib.contextmanager
def own_servers(keep: bool, progress: Callable[[str], None]) -> Iterator[BenchServers]:
    """Start the bench dev stack (reusing servers of it that already run, e.g. kept by an earlier
    bench); at the end stop what this call started, unless ``keep``. One bench at a time: a second
    one adopted the first's servers, and the first's end stopped them under it."""
    state_dir = bench_state_dir()
    with file_lock(state_dir / "bench.lock", refuse_as=f"another batchops bench on {state_dir}"):
        yield from _own_servers(state_dir, keep, progress)


def _own_servers(state_dir: Path, keep: bool, progress: Callable[[str], None]) -> Iterator[BenchServers]:
    stack = DevStack(state_dir, BENCH_PORTS, mongo_in_memory=False, install_dir=default_state_dir() / "venvs")
    already = stack.running()
    progress(f"starting servers in {state_dir} (already running: {', '.join(sorted(already)) or 'none'})")
    started: list[str] = []
    try:
        endpoints = stack.up()
        started = sorted(stack.running() - already)
        yield BenchServers(endpoints, "started", MONGO_STORAGE, state_dir)
    finally:
        if keep:
            progress(f"servers kept running; stop them with: batchops dev down --state-dir {state_dir}")
        elif started:
            progress("stopped: " + ", ".join(stack.down(started)))
