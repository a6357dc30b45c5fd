"""Command invocation end to end: a BatchCommandInvocation (command ``ping``) on every device of
a simulated fleet (``batchops simulate`` in its own process), at several simulator latencies.

Throughput = elements / (stored ``endedDate`` - ``startedDate``): initialization and processing
run together here, as in production. CPU is measured over that whole window, and again from
Initialized* observed to Finished* observed per element processed meanwhile: that second window
holds no initialization, as the no-op processing stage's does not, so the two compare.

After the +0 ms run, the two calls an element needs are timed alone on the same simulator
(``bench.call_floor``): the part of the service's CPU per element that is gRPC's, not batchops'.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from batchops.bench.call_floor import floor_targets, try_call_floor
from batchops.bench.context import BenchContext
from batchops.bench.processes import Child, clean_env
from batchops.bench.service_run import ServiceRun
from batchops.bench.stats import rate
from batchops.bench.watch import (
    FINISH_POLL_SECONDS,
    FINISHED,
    INITIALIZED_OR_LATER,
    Snapshot,
    seconds_between,
)
from batchops.devstack.ports import free_ports
from batchops.simulator import Fleet

COMMAND = "ping"
SEED = 1
MIN_RATE = 50.0


def _simulator(ctx: BenchContext, devices: int, latency_ms: float) -> tuple[Child, str]:
    """The simulator process and its address (from the line it prints once listening)."""
    port = free_ports(1)[0]
    argv = [sys.executable, "-m", "batchops.cli", "simulate", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--devices", str(devices), "--seed", str(SEED), "--latency-ms", str(latency_ms)]
    child = Child(
        f"simulator-{latency_ms:g}ms", argv, clean_env({}), ctx.work_dir / f"simulator-{latency_ms:g}.log"
    )
    try:
        line = child.wait_for_line("fleet simulator listening", 120)
    except BaseException:
        child.stop()
        raise
    return child, line.split(" on ", 1)[1].split()[0]


def _one(ctx: BenchContext, fleet: Fleet, latency_ms: float) -> dict[str, Any]:
    stage = f"invocation-{latency_ms:g}ms"
    tokens = [device.token for device in fleet.devices]
    simulator, address = _simulator(ctx, len(tokens), latency_ms)
    floor: dict[str, Any] | None = None
    try:
        env = {"BATCHOPS_DEVICE_MANAGEMENT_ADDRESS": address, "BATCHOPS_EVENT_MANAGEMENT_ADDRESS": address}
        with ServiceRun(ctx, stage.replace(".", "_"), env) as service:
            ctx.progress(f"[{stage}] invoking '{COMMAND}' on {len(tokens):,} devices (simulator {address})")
            pids = {"service": service.pid, "simulator": simulator.pid}
            cpu = ctx.cpu_meter("create call -> Finished* observed", **pids).start()
            operation_id = service.client.invoke(COMMAND, tokens)
            timeout = 120 + len(tokens) / MIN_RATE
            progress = lambda s: ctx.progress(f"[{stage}] {s.describe()}")  # noqa: E731
            initialized = service.watch.wait_for(
                operation_id, INITIALIZED_OR_LATER, timeout=timeout, progress=progress
            )
            processing = ctx.cpu_meter("Initialized* observed -> Finished* observed", **pids).start()
            snapshot = service.watch.wait_for(
                operation_id, FINISHED, timeout=timeout, interval=FINISH_POLL_SECONDS, progress=progress
            )
            processing_cpu = processing.stop(snapshot.total - _finished(initialized))
            cpu_use = cpu.stop(snapshot.total)
        if latency_ms == 0:  # the service has stopped: the simulator serves these calls alone
            ctx.progress(f"[{stage}] timing the two calls of an element on their own (the CPU floor)")
            floor = try_call_floor(address, floor_targets(fleet, COMMAND), COMMAND)
            if floor is not None and "error" in floor:
                ctx.progress(f"[{stage}] the call floor failed: {floor['error']}")
    finally:
        simulator.stop()
    seconds = seconds_between(snapshot.started, snapshot.ended) or 0.0
    ctx.progress(f"[{stage}] {snapshot.describe()} in {seconds:.2f} s")
    return {
        "devices": len(tokens),
        "latency_ms": latency_ms,
        "elements": snapshot.total,
        "seconds": seconds,
        "created_to_finished_seconds": seconds_between(snapshot.created, snapshot.ended),
        "elements_per_s": rate(snapshot.total, seconds),
        "succeeded": snapshot.count("Succeeded"),
        "failed": snapshot.count("Failed"),
        "final_status": snapshot.status,
        "cpu": cpu_use,
        "processing_cpu": processing_cpu,
        "call_floor": floor,
    }


def _finished(snapshot: Snapshot) -> int:
    """Elements already final in ``snapshot`` (those the processing-only window leaves out). The
    stored counters may lag (never lead) by a few rounds of outcomes, so the window may count up
    to that many elements too many: its figures per element err low by at most ~2% here."""
    return snapshot.count("Succeeded") + snapshot.count("Failed") + snapshot.count("Canceled")


def run_invocation(ctx: BenchContext, devices: int, latencies_ms: Sequence[float]) -> dict[str, Any]:
    fleet = Fleet.generate(SEED, devices)
    expected_failures = len(fleet.devices_without_active_assignment())
    runs = [_one(ctx, fleet, latency) for latency in latencies_ms]
    return {"devices": devices, "expected_failed": expected_failures, "runs": runs}
