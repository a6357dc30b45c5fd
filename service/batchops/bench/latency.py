"""End-to-end latency of small operations: create over gRPC until FinishedSuccessfully.

Primary figure: the stored ``endedDate - createdDate`` (both set by the service). Also reported:
what a client sees, from sending the create call until it reads the finished document (10 ms
polling). One warm-up operation is not counted.
"""

from __future__ import annotations

from typing import Any

from batchops.bench.context import BenchContext
from batchops.bench.noop import NOOP_OPERATION_TYPE
from batchops.bench.pipeline import device_tokens
from batchops.bench.service_run import ServiceRun
from batchops.bench.stats import percentile
from batchops.bench.watch import FINISHED, now, seconds_between

DEVICES = 10
POLL_SECONDS = 0.01
TIMEOUT = 60.0


def _one(service: ServiceRun, index: int) -> tuple[float, float]:
    tokens = device_tokens(f"lat{index}", DEVICES)
    sent = now()
    operation_id = service.client.create(NOOP_OPERATION_TYPE, tokens)
    snapshot = service.watch.wait_for(operation_id, FINISHED, timeout=TIMEOUT, interval=POLL_SECONDS)
    stored = seconds_between(snapshot.created, snapshot.ended) or 0.0
    observed = seconds_between(sent, snapshot.observed) or 0.0
    return stored * 1000, observed * 1000


def run_latency(ctx: BenchContext, samples: int) -> dict[str, Any]:
    stored: list[float] = []
    observed: list[float] = []
    with ServiceRun(ctx, "latency") as service:
        _one(service, -1)  # warm-up
        cpu = ctx.cpu_meter("first create call -> last Finished* observed", service=service.pid).start()
        for index in range(samples):
            stored_ms, observed_ms = _one(service, index)
            stored.append(stored_ms)
            observed.append(observed_ms)
        cpu_use = cpu.stop(samples * DEVICES)
        ctx.progress(f"[latency] {samples} operations of {DEVICES} devices")
    return {
        "samples": samples,
        "devices": DEVICES,
        "p50_ms": percentile(stored, 50),
        "p95_ms": percentile(stored, 95),
        "max_ms": max(stored),
        "observed_p50_ms": percentile(observed, 50),
        "observed_p95_ms": percentile(observed, 95),
        "samples_ms": [round(value, 1) for value in stored],
        "cpu": cpu_use,
    }
