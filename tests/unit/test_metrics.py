"""Metrics: recording helpers, the operations gauge, forgetting a tenant, the gRPC interceptor."""

from __future__ import annotations

import secrets
from typing import Any

import grpc
import pytest
from prometheus_client import generate_latest

from batchops import metrics
from batchops.api.interceptors import short_method
from batchops.api.metrics_interceptor import MetricsInterceptor


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def tenant() -> str:
    return "m" + secrets.token_hex(5)


def test_counters_and_histograms(tenant: str) -> None:
    metrics.element_finished(tenant, metrics.OUTCOME_SUCCEEDED)
    metrics.element_finished(tenant, metrics.OUTCOME_FAILED, 2)
    metrics.elements_initialized(tenant, 10)
    metrics.elements_processed(tenant, 3)
    metrics.throttle_waited(tenant, 0.25)
    metrics.observe_handler(tenant, "BatchCommandInvocation", 0.02)
    metrics.observe_consumer_batch(tenant, metrics.TOPIC_ELEMENTS, 40)

    assert value("batchops_elements_finished_total", tenant=tenant, outcome="succeeded") == 1
    assert value("batchops_elements_finished_total", tenant=tenant, outcome="failed") == 2
    assert value("batchops_elements_initialized_total", tenant=tenant) == 10
    assert value("batchops_elements_processed_total", tenant=tenant) == 3
    assert value("batchops_throttle_wait_seconds_total", tenant=tenant) == 0.25
    labels = {"tenant": tenant, "operation_type": "BatchCommandInvocation"}
    assert value("batchops_handler_duration_seconds_count", **labels) == 1
    assert value("batchops_handler_duration_seconds_bucket", **labels, le="0.025") == 1
    assert value("batchops_consumer_batch_size_sum", tenant=tenant, topic="elements") == 40
    assert value("batchops_consumer_batch_size_bucket", tenant=tenant, topic="elements", le="25.0") == 0


def test_operations_gauge_exports_every_status(tenant: str) -> None:
    metrics.set_operation_counts(tenant, {"Initializing": 2, "FinishedSuccessfully": 5})
    assert value("batchops_operations", tenant=tenant, status="Initializing") == 2
    assert value("batchops_operations", tenant=tenant, status="FinishedSuccessfully") == 5
    unprocessed = {"tenant": tenant, "status": "Unprocessed"}
    assert metrics.REGISTRY.get_sample_value("batchops_operations", unprocessed) == 0  # present, zero
    metrics.set_operation_counts(tenant, {"FinishedSuccessfully": 7})
    assert value("batchops_operations", tenant=tenant, status="Initializing") == 0


def test_operations_gauge_callback_overrides_and_unregisters(tenant: str) -> None:
    metrics.set_operation_counts(tenant, {"Unprocessed": 1})
    other = tenant + "x"
    remove = metrics.add_operation_counts_source(
        lambda: {tenant: {"Unprocessed": 9}, other: {"InitializedWithErrors": 4}}
    )
    try:
        assert value("batchops_operations", tenant=tenant, status="Unprocessed") == 9
        assert value("batchops_operations", tenant=other, status="InitializedWithErrors") == 4
    finally:
        remove()
    assert value("batchops_operations", tenant=tenant, status="Unprocessed") == 1
    assert (
        metrics.REGISTRY.get_sample_value("batchops_operations", {"tenant": other, "status": "Unprocessed"})
        is None
    )


def test_failing_callback_does_not_break_the_scrape(tenant: str) -> None:
    def broken() -> Any:
        raise RuntimeError("datastore down")

    metrics.set_operation_counts(tenant, {"Unprocessed": 3})
    remove = metrics.add_operation_counts_source(broken)
    try:
        assert b"batchops_operations" in generate_latest(metrics.REGISTRY)
        assert value("batchops_operations", tenant=tenant, status="Unprocessed") == 3
    finally:
        remove()


def test_forget_tenant_removes_its_series_only(tenant: str) -> None:
    other = tenant + "o"
    for name in (tenant, other):
        metrics.element_finished(name, metrics.OUTCOME_SUCCEEDED)
        metrics.observe_handler(name, "T", 0.1)
        metrics.set_operation_counts(name, {"Unprocessed": 1})
    metrics.forget_tenant(tenant)
    text = generate_latest(metrics.REGISTRY).decode()
    assert f'tenant="{tenant}"' not in text
    assert f'tenant="{other}"' in text
    assert value("batchops_elements_finished_total", tenant=other, outcome="succeeded") == 1


@pytest.mark.parametrize(
    ("full", "short"),
    [
        (
            "/com.sitewhere.grpc.service.BatchManagement/GetBatchOperation",
            "BatchManagement/GetBatchOperation",
        ),
        ("/grpc.health.v1.Health/Check", "Health/Check"),
        ("/Plain/Call", "Plain/Call"),
        ("odd", "odd"),
    ],
)
def test_short_method(full: str, short: str) -> None:
    assert short_method(full) == short


# ---- the interceptor, with a stand-in context ---------------------------------------------------


class AbortError(Exception):
    pass


class FakeContext:
    def __init__(self) -> None:
        self._code: grpc.StatusCode | None = None

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self._code = code
        raise AbortError(details)

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code


class Details:
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


def intercepted(method: str, behaviour: Any) -> Any:
    handler = grpc.unary_unary_rpc_method_handler(behaviour)
    return MetricsInterceptor().intercept_service(lambda _d: handler, Details(method)).unary_unary


def grpc_count(method: str, code: str) -> float:
    return value("batchops_grpc_requests_total", method=method, code=code)


def test_interceptor_counts_ok_abort_set_code_and_crash() -> None:
    service = "Svc" + secrets.token_hex(4)
    method = f"{service}/Call"

    def ok(request: Any, context: Any) -> str:
        return "fine"

    def aborts(request: Any, context: Any) -> str:
        context.abort(grpc.StatusCode.NOT_FOUND, "nope")
        return "unreachable"

    def sets_code(request: Any, context: Any) -> str:
        context.set_code(grpc.StatusCode.ALREADY_EXISTS)
        return ""

    def crashes(request: Any, context: Any) -> str:
        raise ValueError("bug")

    assert intercepted(f"/pkg.{service}/Call", ok)(None, FakeContext()) == "fine"
    with pytest.raises(AbortError):
        intercepted(f"/pkg.{service}/Call", aborts)(None, FakeContext())
    intercepted(f"/pkg.{service}/Call", sets_code)(None, FakeContext())
    with pytest.raises(ValueError):
        intercepted(f"/pkg.{service}/Call", crashes)(None, FakeContext())

    assert grpc_count(method, "OK") == 1
    assert grpc_count(method, "NOT_FOUND") == 1
    assert grpc_count(method, "ALREADY_EXISTS") == 1
    assert grpc_count(method, "UNKNOWN") == 1
    assert value("batchops_grpc_request_duration_seconds_count", method=method) == 4


def test_interceptor_passes_unknown_and_streaming_methods_through() -> None:
    interceptor = MetricsInterceptor()
    assert interceptor.intercept_service(lambda _d: None, Details("/x.Y/Z")) is None
    streaming = grpc.unary_stream_rpc_method_handler(lambda request, context: iter(()))
    assert interceptor.intercept_service(lambda _d: streaming, Details("/x.Y/Z")) is streaming


def test_metrics_server_serves_and_stops() -> None:
    import urllib.request

    port = metrics.start_metrics_server(0, "127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
        assert "batchops_operations" in body
        assert "process_cpu_seconds_total" in body or "python_info" in body
    finally:
        metrics.stop_metrics_server(port)
    with pytest.raises(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2):
        pass


def test_handler_durations_observed_together(tenant: str) -> None:
    metrics.observe_handlers(tenant, "Noop", [0.001, 0.002, 0.5])
    labels = {"tenant": tenant, "operation_type": "Noop"}
    assert value("batchops_handler_duration_seconds_count", **labels) == 3
    assert value("batchops_handler_duration_seconds_bucket", **labels, le="0.025") == 2
