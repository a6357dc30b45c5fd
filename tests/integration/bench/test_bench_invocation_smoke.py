"""``batchops bench --only invocation`` on the test servers with a small simulated fleet: the run
finishes every element, and its CPU is reported over the whole window and over the window after
Initialized* (which the no-op processing stage is compared with), and the client CPU of an
element's two calls alone. No timing thresholds: how many elements fall in the second window
depends on the machine's speed, so only its bounds are checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from batchops.devstack import Endpoints

DEVICES = 300


@pytest.mark.timeout(600)
def test_invocation_bench_reports_the_whole_window_and_the_one_after_initialization(
    servers: Endpoints, tmp_path: Path
) -> None:
    output = tmp_path / "bench.json"
    argv = [sys.executable, "-m", "batchops.bench", "--quick", "--only", "invocation"]
    argv += ["--output", str(output)]
    argv += ["--invocation-devices", str(DEVICES), "--invocation-latencies", "0"]
    argv += ["--kafka", servers.kafka_bootstrap, "--mongo-uri", servers.mongo_uri, "--zk", servers.zk_hosts]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results: dict[str, Any] = json.loads(output.read_text())
    assert results["errors"] == {}
    (run,) = results["invocation"]["runs"]
    assert run["elements"] == DEVICES and run["succeeded"] + run["failed"] == DEVICES
    whole, after = run["cpu"], run["processing_cpu"]
    assert whole["elements"] == DEVICES
    assert whole["processes"]["service"]["cpu_us_per_element"] > 0
    assert whole["processes"]["simulator"]["cpu_us_per_element"] > 0
    assert after["window"] == "Initialized* observed -> Finished* observed"
    assert 0 <= after["elements"] <= DEVICES
    assert 0 <= after["wall_seconds"] <= whole["wall_seconds"]
    for role in ("service", "mongo", "simulator"):
        assert after["processes"][role]["cpu_seconds"] >= 0, f"{role}: {after['processes'][role]!r}"
    assert "after Initialized*" in completed.stdout
    # The two calls of an element timed alone, on devices the handler invokes on (most of them).
    floor = run["call_floor"]
    assert 0 < floor["elements"] <= DEVICES and floor["calls_per_element"] == 2
    assert floor["cpu_us_per_element"] > 0
    assert "client CPU of its two calls alone" in completed.stdout
