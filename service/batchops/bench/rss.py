"""Peak resident memory of the service process during one large operation, against a small one.

Each size gets a fresh service process; its memory (children included) is sampled every 100 ms
from just before the create call until the operation is finished or ``timeout`` passes.
"""

from __future__ import annotations

import time
from typing import Any

from batchops.bench.context import BenchContext
from batchops.bench.noop import NOOP_OPERATION_TYPE
from batchops.bench.pipeline import device_tokens
from batchops.bench.processes import BYTES_PER_MB, RssSampler, tree_rss_bytes
from batchops.bench.service_run import ServiceRun
from batchops.bench.stats import ratio
from batchops.bench.watch import FINISHED, Snapshot


def _one(ctx: BenchContext, devices: int, timeout: float) -> dict[str, Any]:
    stage = f"rss-{devices}"
    tokens = device_tokens("rss", devices)
    with ServiceRun(ctx, stage) as service:
        baseline = tree_rss_bytes(service.pid)
        started = time.monotonic()
        finished = True
        snapshot: Snapshot | None
        with RssSampler(service.pid) as sampler:
            ctx.progress(f"[{stage}] creating a Noop operation on {devices:,} devices in one call")
            operation_id = service.client.create(NOOP_OPERATION_TYPE, tokens)
            try:
                snapshot = service.watch.wait_for(
                    operation_id,
                    FINISHED,
                    timeout=max(timeout - (time.monotonic() - started), 1.0),
                    interval=0.5,
                    progress=lambda s: ctx.progress(
                        f"[{stage}] {s.describe()}; peak {sampler.peak_mb:.0f} MB"
                    ),
                    progress_every=15.0,
                )
            except TimeoutError as exc:
                finished = False
                last = exc.args[1] if len(exc.args) > 1 else None
                snapshot = last if isinstance(last, Snapshot) else service.watch.snapshot(operation_id)
        seconds = time.monotonic() - started
    ctx.progress(
        f"[{stage}] peak RSS {sampler.peak_mb:.1f} MB over {seconds:.1f} s ({sampler.samples} samples)"
    )
    return {
        "devices": devices,
        "peak_rss_mb": sampler.peak_mb,
        "baseline_rss_mb": baseline / BYTES_PER_MB,
        "samples": sampler.samples,
        "seconds": seconds,
        "finished": finished,
        "final_status": snapshot.status if snapshot is not None else "unknown",
        "elements_final": (snapshot.count("Succeeded") + snapshot.count("Failed")) if snapshot else 0,
    }


def run_rss(ctx: BenchContext, large: int, small: int, timeout: float) -> dict[str, Any]:
    small_run = _one(ctx, small, timeout)
    large_run = _one(ctx, large, timeout)
    return {
        "small": small_run,
        "large": large_run,
        "ratio": ratio(large_run["peak_rss_mb"], small_run["peak_rss_mb"]),
        "interval_s": 0.1,
    }
