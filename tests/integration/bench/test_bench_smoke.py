"""``batchops bench --quick`` on the test servers, cheap scenarios only: the JSON it writes has
every expected figure, positive (the CPU per element of the service and MongoDB processes too),
and nothing it started is left running. No timing thresholds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import psutil
import pytest

from batchops.devstack import Endpoints

SCENARIOS = "ceilings,init,processing,latency"
# Below --quick's own sizes: the test checks that every figure is there, not what it is.
SIZES = ["--init-devices", "1000", "--process-devices", "1000", "--latency-samples", "3"]
SIZES += ["--update-sample", "500"]
EXPECTED = {
    "ceilings": [
        "mongo_insert_many_docs_per_s",
        "kafka_produce_records_per_s",
        "kafka_consume_records_per_s",
        "mongo_update_many_docs_per_s",
        "mongo_bulk_update_one_docs_per_s",
    ],
    "initialization": ["elements", "seconds", "elements_per_s", "ratio_vs_insert_ceiling"],
    "processing": [
        "elements",
        "seconds",
        "elements_per_s",
        "ratio_vs_lowest_ceiling",
        "ratio_vs_update_ceiling",
        "two_updates_bound_elements_per_s",
        "ratio_vs_two_updates_bound",
    ],
    "latency": ["samples", "p50_ms", "p95_ms", "observed_p50_ms", "observed_p95_ms"],
}


def _bench_services_of(run_id: str) -> list[int]:
    """Service processes of this run still alive (recognised by their instance id)."""
    alive = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "batchops.bench.serve" not in " ".join(process.info["cmdline"] or []):
                continue
            if process.environ().get("BATCHOPS_INSTANCE_ID", "").startswith(f"bench-{run_id}-"):
                alive.append(process.pid)
        except psutil.Error:
            continue
    return alive


@pytest.mark.timeout(600)
def test_quick_bench_writes_positive_figures(servers: Endpoints, tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    argv = [sys.executable, "-m", "batchops.bench", "--quick", "--only", SCENARIOS, "--output", str(output)]
    argv += SIZES
    argv += ["--kafka", servers.kafka_bootstrap, "--mongo-uri", servers.mongo_uri, "--zk", servers.zk_hosts]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results: dict[str, Any] = json.loads(output.read_text())
    assert results["errors"] == {}
    for section, keys in EXPECTED.items():
        for key in keys:
            value = results[section][key]
            assert isinstance(value, int | float) and value > 0, f"{section}.{key} = {value!r}"
    for section in ("initialization", "processing", "latency"):
        cpu = results[section]["cpu"]
        assert cpu["elements"] > 0 and cpu["wall_seconds"] > 0, f"{section}.cpu = {cpu!r}"
        for process in ("service", "mongo"):
            figures = cpu["processes"][process]
            for key in ("cpu_seconds", "cpu_s_per_1000_elements", "cpu_us_per_element", "busy_share"):
                value = figures[key]
                assert isinstance(value, int | float) and value > 0, (
                    f"{section}.cpu.{process}.{key} = {value!r}"
                )
    assert results["processing"]["cpu"]["elements"] == results["processing"]["elements"]
    assert results["processing"]["elements"] == results["meta"]["options"]["process_devices"]
    assert "rss" not in results and "invocation" not in results
    assert results["targets"][0]["name"].startswith("initialization")
    assert "batchops bench" in completed.stdout
    assert "CPU per element" in completed.stdout
    assert _bench_services_of(results["meta"]["run_id"]) == []


@pytest.mark.timeout(600)
def test_repeated_runs_each_get_their_own_names_and_the_targets_their_medians(
    servers: Endpoints, tmp_path: Path
) -> None:
    output = tmp_path / "bench.json"
    argv = [sys.executable, "-m", "batchops.bench", "--only", "processing", "--process-devices", "300"]
    argv += ["--repeat", "2", "--output", str(output)]
    argv += ["--kafka", servers.kafka_bootstrap, "--mongo-uri", servers.mongo_uri, "--zk", servers.zk_hosts]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=540)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]

    results: dict[str, Any] = json.loads(output.read_text())
    assert results["errors"] == {} and results["meta"]["repeat"] == 2
    runs = results["runs"]
    assert [run["meta"]["run_id"] for run in runs] == [f"{results['meta']['run_id']}-{n}" for n in (1, 2)]
    for run in runs:
        assert run["processing"]["succeeded"] == 300, run["processing"]
    noop = next(t for t in results["targets"] if t["name"] == "service CPU per no-op element (µs)")
    values = [run["processing"]["cpu"]["processes"]["service"]["cpu_us_per_element"] for run in runs]
    assert noop["values"] == values and noop["actual"] == pytest.approx(sum(values) / 2)
    assert "targets, median of 2 runs" in completed.stdout
    for run in runs:
        assert _bench_services_of(run["meta"]["run_id"]) == []
