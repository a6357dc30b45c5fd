"""Prometheus metrics scraped over HTTP after an operation show its exact counts."""

from __future__ import annotations

from typing import Any

from batchops.api import StaticRouter
from batchops.metrics import start_metrics_server, stop_metrics_server
from support.api import create, wait_final
from support.metrics import scrape


def test_metrics_count_an_operation(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str, effects: Any
) -> None:
    router.add(unique_name, start_engine())
    port = start_metrics_server(0, "127.0.0.1")
    try:
        op = create(stub, unique_name, [f"m-{i}" for i in range(120)] + ["m-x-fail"])
        wait_final(stub, unique_name, op.id)
        samples = scrape(port)
    finally:
        stop_metrics_server(port)
    tenant = ("tenant", unique_name)

    def value(name: str, **labels: str) -> float:
        return samples.get((name, tuple(sorted([tenant, *labels.items()]))), 0.0)

    assert value("batchops_elements_finished_total", outcome="succeeded") == 120
    assert value("batchops_elements_finished_total", outcome="failed") == 1
    assert value("batchops_elements_initialized_total") == 121
    assert value("batchops_operations", status="FinishedWithErrors") == 1
    assert value("batchops_operations", status="Unprocessed") == 0
    assert value("batchops_handler_duration_seconds_count", operation_type="Record") == 121
    calls = [v for (name, labels), v in samples.items() if name == "batchops_grpc_requests_total"]
    assert sum(calls) >= 2  # the create and the polling calls went through the interceptor
