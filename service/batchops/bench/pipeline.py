"""Initialization and processing throughput of the pipeline, with the Noop handler.

Processing is held (see ``batchops.bench.noop``) while initialization is timed, so the two stages
do not compete for the database: initialization = stored ``startedDate`` (the first target chunk
was consumed) until Initialized* is observed; processing = release of the hold until the stored
``endedDate``.
"""

from __future__ import annotations

from typing import Any

from batchops.bench.context import BenchContext
from batchops.bench.noop import NOOP_OPERATION_TYPE
from batchops.bench.service_run import ServiceRun
from batchops.bench.stats import rate
from batchops.bench.watch import (
    FINISH_POLL_SECONDS,
    FINISHED,
    INITIALIZED_OR_LATER,
    Snapshot,
    now,
    seconds_between,
)

MIN_RATE = 100.0  # elements/s below which a stage is given up on (sets the timeouts)


def device_tokens(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:07d}" for i in range(count)]


def stage_timeout(elements: int) -> float:
    return 120.0 + elements / MIN_RATE


def _progress(ctx: BenchContext, stage: str) -> Any:
    return lambda snapshot: ctx.progress(f"[{stage}] {snapshot.describe()}")


def _initialize_held(ctx: BenchContext, service: ServiceRun, stage: str, devices: int) -> dict[str, Any]:
    tokens = device_tokens(stage, devices)
    params = service.hold()
    ctx.progress(f"[{stage}] creating a Noop operation on {devices:,} devices (processing held)")
    cpu = ctx.cpu_meter("create call -> Initialized* observed", service=service.pid).start()
    before = now()
    operation_id = service.client.create(NOOP_OPERATION_TYPE, tokens, params)
    created = now()
    snapshot = service.watch.wait_for(
        operation_id, INITIALIZED_OR_LATER, timeout=stage_timeout(devices), progress=_progress(ctx, stage)
    )
    cpu_use = cpu.stop(snapshot.total)
    seconds = seconds_between(snapshot.started, snapshot.observed) or 0.0
    ctx.progress(f"[{stage}] initialized {snapshot.total:,} elements in {seconds:.2f} s")
    return {
        "operation_id": operation_id,
        "devices": devices,
        "elements": snapshot.total,
        "create_seconds": (created - before).total_seconds(),
        "seconds": seconds,
        "elements_per_s": rate(snapshot.total, seconds),
        "measured": "stored startedDate -> Initialized* observed (50 ms polling), processing held",
        "cpu": cpu_use,
    }


def run_initialization(ctx: BenchContext, devices: int) -> dict[str, Any]:
    with ServiceRun(ctx, "init") as service:
        result = _initialize_held(ctx, service, "init", devices)
    result.pop("operation_id")
    return result


def run_processing(ctx: BenchContext, devices: int) -> dict[str, Any]:
    with ServiceRun(ctx, "processing") as service:
        init = _initialize_held(ctx, service, "processing", devices)
        cpu = ctx.cpu_meter("hold released -> Finished* observed", service=service.pid).start()
        released = service.release()
        ctx.progress("[processing] released; processing")
        snapshot: Snapshot = service.watch.wait_for(
            init["operation_id"],
            FINISHED,
            timeout=stage_timeout(devices),
            interval=FINISH_POLL_SECONDS,
            progress=_progress(ctx, "processing"),
        )
        cpu_use = cpu.stop(snapshot.total)
    seconds = seconds_between(released, snapshot.ended) or 0.0
    ctx.progress(f"[processing] {snapshot.describe()} in {seconds:.2f} s")
    return {
        "devices": devices,
        "elements": snapshot.total,
        "succeeded": snapshot.count("Succeeded"),
        "failed": snapshot.count("Failed"),
        "init_elements_per_s": init["elements_per_s"],
        "seconds": seconds,
        "elements_per_s": rate(snapshot.total, seconds),
        "final_status": snapshot.status,
        "measured": "hold released -> stored endedDate",
        "cpu": cpu_use,
    }
