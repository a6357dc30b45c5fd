"""gRPC calls through a real server with the metrics (and auth) interceptors, then /metrics over HTTP."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import jwt
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from batchops import metrics
from batchops.api import BatchManagementServicer, OpenTenantRouter, PagingLimits
from batchops.api.auth import Authenticator, AuthInterceptor, AuthSettings
from batchops.api.metrics_interceptor import MetricsInterceptor
from batchops.api.server import service_handler
from batchops.config import Settings
from batchops.protocol.convert import uuid_to_wire
from batchops.store import MongoConnector
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc

SECRET = "metrics-test-secret-" + "m" * 44
Counts = dict[tuple[str, str], float]


@pytest.fixture(scope="module")
def grpc_port(api_settings: Settings) -> Iterator[int]:
    connector = MongoConnector(api_settings.mongodb.uri, api_settings.mongodb.tenant_prefix)
    servicer = BatchManagementServicer(
        OpenTenantRouter(connector, target_chunk_size=api_settings.limits.target_chunk_size),
        PagingLimits(api_settings.limits.default_page_size, api_settings.limits.max_page_size),
        api_settings.limits.max_device_tokens,
    )
    authenticator = Authenticator(AuthSettings(enabled=True, hs256_secret=SECRET))
    # Metrics outermost, so refusals by the auth interceptor are counted.
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        interceptors=[MetricsInterceptor(), AuthInterceptor(authenticator)],
    )
    descriptor = bms.DESCRIPTOR.services_by_name["BatchManagement"]
    server.add_generic_rpc_handlers((service_handler(descriptor, servicer),))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(None).wait()
    connector.close()


@pytest.fixture(scope="module")
def metrics_port() -> Iterator[int]:
    port = metrics.start_metrics_server(0, "127.0.0.1")
    yield port
    metrics.stop_metrics_server(port)


def scrape(port: int) -> Counts:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    counts: Counts = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "batchops_grpc_requests_total":
                counts[(sample.labels["method"], sample.labels["code"])] = sample.value
    return counts


def test_requests_are_counted_by_method_and_code(grpc_port: int, metrics_port: int, unique_name: str) -> None:
    token = jwt.encode(
        {"sub": "ops", "tenants": [unique_name], "exp": int(time.time()) + 300}, SECRET, algorithm="HS256"
    )
    good = (("tenant", unique_name), ("jwt", token))
    before = scrape(metrics_port)
    with grpc.insecure_channel(f"127.0.0.1:{grpc_port}") as channel:
        stub: Any = batch_management_pb2_grpc.BatchManagementStub(channel)
        for _ in range(3):
            stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=good)
        missing = bms.GGetBatchOperationRequest(batchOperationId=uuid_to_wire(uuid.uuid4()))
        refusals = [
            (lambda: stub.GetBatchOperation(missing, metadata=good), "GetBatchOperation", "NOT_FOUND"),
            (
                lambda: stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=()),
                "ListBatchOperations",
                "UNAUTHENTICATED",
            ),
            (
                lambda: stub.ListBatchOperations(
                    bms.GListBatchOperationsRequest(), metadata=(("tenant", "other"), ("jwt", token))
                ),
                "ListBatchOperations",
                "PERMISSION_DENIED",
            ),
        ]
        for call, _method, _code in refusals:
            with pytest.raises(grpc.RpcError):
                call()
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    after = scrape(metrics_port)

    def delta(method: str, code: str) -> float:
        return after.get((method, code), 0.0) - before.get((method, code), 0.0)

    assert delta("BatchManagement/ListBatchOperations", "OK") == 3
    assert delta("BatchManagement/GetBatchOperation", "NOT_FOUND") == 1
    assert delta("BatchManagement/ListBatchOperations", "UNAUTHENTICATED") == 1
    assert delta("BatchManagement/ListBatchOperations", "PERMISSION_DENIED") == 1
    assert delta("Health/Check", "OK") == 1


def test_metrics_endpoint_lists_every_batchops_family(metrics_port: int) -> None:
    metrics.set_operation_counts("scrape-tenant", {"Unprocessed": 1})
    metrics.element_finished("scrape-tenant", metrics.OUTCOME_SUCCEEDED)
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    for name in (
        "batchops_operations",
        "batchops_elements_finished_total",
        "batchops_elements_initialized_total",
        "batchops_elements_processed_total",
        "batchops_handler_duration_seconds",
        "batchops_consumer_batch_size",
        "batchops_throttle_wait_seconds_total",
        "batchops_grpc_requests_total",
        "batchops_grpc_request_duration_seconds",
    ):
        assert f"# HELP {name.removesuffix('_total')}" in text or f"# HELP {name}" in text, name
    metrics.forget_tenant("scrape-tenant")
