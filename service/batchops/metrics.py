"""Prometheus metrics of one batchops process, the gRPC interceptor that feeds the request
counters, and the HTTP endpoint that serves them (``GET /metrics``).

All metrics live in this module's own ``REGISTRY`` (not prometheus_client's global one), which
also carries the standard process, platform and GC collectors.

| name | type | labels | meaning |
|---|---|---|---|
| `batchops_operations` | gauge | tenant, status | batch operations per processing status (all six always exported) |
| `batchops_elements_finished_total` | counter | tenant, outcome | elements that reached a final status (succeeded, failed) |
| `batchops_elements_initialized_total` | counter | tenant | elements created by initialization; `rate()` = init throughput |
| `batchops_elements_processed_total` | counter | tenant | processing attempts completed (any outcome, retries included) |
| `batchops_handler_duration_seconds` | histogram | tenant, operation_type | one handler call for one element |
| `batchops_consumer_batch_size` | histogram | tenant, topic | records per Kafka poll batch; topic = operations, elements |
| `batchops_throttle_wait_seconds_total` | counter | tenant | seconds spent waiting on the tenant's rate limit |
| `batchops_consumer_lag` | gauge | tenant, topic | records of the topic (operations, elements) the tenant's consumer group has not processed yet (read from Kafka at scrape time; group-wide, so every instance reports the same value) |
| `batchops_consumer_running` | gauge | tenant, consumer | 1 while the consumer loop polls, 0 while it restarts after a crash |
| `batchops_dependency_circuit_state` | gauge | tenant, dependency | the tenant's circuit breaker for a dependency its handlers found unavailable: 0 closed, 1 open, 2 half-open (one probe under way); a series appears with the first opening |
| `batchops_elements_handed_back_total` | counter | tenant, reason | elements given back to Unprocessed without spending an attempt; reason `dependency_unavailable`: their handler found a dependency unavailable, or an open circuit kept them from starting |
| `batchops_grpc_requests_total` | counter | method, code | gRPC calls by `Service/Method` and status code, aborts included |
| `batchops_grpc_request_duration_seconds` | histogram | method | gRPC call latency |

`batchops_operations` is set by the engine (`set_operation_counts`) or read from callbacks at
scrape time (`add_operation_counts_source`). The process, platform and GC collectors add the
standard `process_*`, `python_*` series.

Only unary-response gRPC methods are counted (every BatchManagement RPC and health Check);
streaming ones (reflection, health Watch) pass through uncounted.
"""  # noqa: E501 (the table is Markdown, pasted into the README as is)

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final, Generic, TypeVar

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from batchops.domain import BatchOperationStatus
from batchops.messaging.topics import ELEMENTS_LABEL, OPERATIONS_LABEL

log = logging.getLogger(__name__)
T = TypeVar("T")

REGISTRY: Final = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
if GC_COLLECTOR is not None:  # absent on interpreters without gc.get_stats
    GCCollector(registry=REGISTRY)

OUTCOME_SUCCEEDED: Final = "succeeded"
OUTCOME_FAILED: Final = "failed"
TOPIC_OPERATIONS: Final = OPERATIONS_LABEL
TOPIC_ELEMENTS: Final = ELEMENTS_LABEL

ELEMENTS_FINISHED: Final = Counter(
    "batchops_elements_finished",
    "Elements that reached a final status, by outcome.",
    ["tenant", "outcome"],
    registry=REGISTRY,
)
ELEMENTS_INITIALIZED: Final = Counter(
    "batchops_elements_initialized",
    "Elements created while initializing batch operations.",
    ["tenant"],
    registry=REGISTRY,
)
ELEMENTS_PROCESSED: Final = Counter(
    "batchops_elements_processed",
    "Element processing attempts completed (any outcome, retries included).",
    ["tenant"],
    registry=REGISTRY,
)
HANDLER_DURATION: Final = Histogram(
    "batchops_handler_duration_seconds",
    "Time one operation handler call took for one element.",
    ["tenant", "operation_type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
CONSUMER_BATCH_SIZE: Final = Histogram(
    "batchops_consumer_batch_size",
    "Records per batch polled from a Kafka topic.",
    ["tenant", "topic"],
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000),
    registry=REGISTRY,
)
THROTTLE_WAIT: Final = Counter(
    "batchops_throttle_wait_seconds",
    "Seconds spent waiting on the tenant's processing rate limit.",
    ["tenant"],
    registry=REGISTRY,
)
CONSUMER_RUNNING: Final = Gauge(
    "batchops_consumer_running",
    "1 while a tenant's consumer loop is subscribed and polling, 0 while it restarts after a crash.",
    ["tenant", "consumer"],
    registry=REGISTRY,
)
DEPENDENCY_CIRCUIT_STATE: Final = Gauge(
    "batchops_dependency_circuit_state",
    "A tenant's circuit breaker for a dependency: 0 closed, 1 open, 2 half-open.",
    ["tenant", "dependency"],
    registry=REGISTRY,
)
ELEMENTS_HANDED_BACK: Final = Counter(
    "batchops_elements_handed_back",
    "Elements given back to Unprocessed without spending an attempt, by reason.",
    ["tenant", "reason"],
    registry=REGISTRY,
)
GRPC_REQUESTS: Final = Counter(
    "batchops_grpc_requests",
    "gRPC calls served, by method and status code.",
    ["method", "code"],
    registry=REGISTRY,
)
GRPC_DURATION: Final = Histogram(
    "batchops_grpc_request_duration_seconds",
    "gRPC call latency.",
    ["method"],
    registry=REGISTRY,
)

_TENANT_METRICS = (
    ELEMENTS_FINISHED,
    ELEMENTS_INITIALIZED,
    ELEMENTS_PROCESSED,
    HANDLER_DURATION,
    CONSUMER_BATCH_SIZE,
    THROTTLE_WAIT,
    CONSUMER_RUNNING,
    DEPENDENCY_CIRCUIT_STATE,
    ELEMENTS_HANDED_BACK,
)

# tenant -> status -> count
OperationCounts = Mapping[str, Mapping[str, int]]
OperationCountsSource = Callable[[], OperationCounts]


class SourceList(Generic[T]):
    """Callbacks read at scrape time; ``add`` returns the function that unregisters one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[T] = []

    def add(self, item: T) -> Callable[[], None]:
        with self._lock:
            self._items.append(item)

        def remove() -> None:
            with self._lock:
                if item in self._items:
                    self._items.remove(item)

        return remove

    def snapshot(self) -> list[T]:
        with self._lock:
            return list(self._items)


class OperationsByStatus(Collector):
    """``batchops_operations``: counts pushed by the engine, and/or pulled from callbacks at scrape.

    A callback's tenants override pushed values for the same tenant; statuses a tenant does not
    mention are exported as 0, so a status that empties does not linger at its last value.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pushed: dict[str, dict[str, int]] = {}
        self._sources: SourceList[OperationCountsSource] = SourceList()

    def set(self, tenant: str, counts: Mapping[str, int]) -> None:
        with self._lock:
            self._pushed[tenant] = dict(counts)

    def forget(self, tenant: str) -> None:
        with self._lock:
            self._pushed.pop(tenant, None)

    def add_source(self, source: OperationCountsSource) -> Callable[[], None]:
        return self._sources.add(source)

    def _snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            merged = {tenant: dict(counts) for tenant, counts in self._pushed.items()}
        sources = self._sources.snapshot()
        for source in sources:
            try:
                pulled = source()
            except Exception:  # a failing callback must not break the whole scrape
                log.exception("operation counts callback failed")
                continue
            merged.update({tenant: dict(counts) for tenant, counts in pulled.items()})
        return merged

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "batchops_operations", "Batch operations per processing status.", labels=["tenant", "status"]
        )
        for tenant, counts in sorted(self._snapshot().items()):
            for status in BatchOperationStatus:
                family.add_metric([tenant, status.value], counts.get(status.value, 0))
        yield family

    def describe(self) -> Iterator[Metric]:
        # Describing without collecting keeps callbacks from running at registration time.
        yield GaugeMetricFamily("batchops_operations", "Batch operations per processing status.")


OPERATIONS: Final = OperationsByStatus()
REGISTRY.register(OPERATIONS)

# tenant -> topic label -> records not yet processed
LagSource = Callable[[], Mapping[str, Mapping[str, int]]]


class ConsumerLag(Collector):
    """``batchops_consumer_lag``: read from the engines' lag sources at scrape time."""

    _NAME = "batchops_consumer_lag"
    _HELP = "Records of a tenant's topic its consumer group has not processed yet."

    def __init__(self) -> None:
        self._sources: SourceList[LagSource] = SourceList()

    def add_source(self, source: LagSource) -> Callable[[], None]:
        return self._sources.add(source)

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(self._NAME, self._HELP, labels=["tenant", "topic"])
        for source in self._sources.snapshot():
            try:
                lags = source()
            except Exception:  # a failing source must not break the whole scrape
                log.exception("consumer lag source failed")
                continue
            for tenant, topics in sorted(lags.items()):
                for topic, lag in sorted(topics.items()):
                    family.add_metric([tenant, topic], lag)
        yield family

    def describe(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(self._NAME, self._HELP)


CONSUMER_LAG: Final = ConsumerLag()
REGISTRY.register(CONSUMER_LAG)


# ---- recording helpers (the engine's API) ---------------------------------------------------


def set_operation_counts(tenant: str, counts: Mapping[str, int]) -> None:
    """Publish a tenant's operation counts, keyed by status name (``Unprocessed``, ...)."""
    OPERATIONS.set(tenant, counts)


def add_operation_counts_source(source: OperationCountsSource) -> Callable[[], None]:
    """Have ``source`` (tenant -> status -> count) read at every scrape; returns an unregister."""
    return OPERATIONS.add_source(source)


def add_consumer_lag_source(source: LagSource) -> Callable[[], None]:
    """Have ``source`` (tenant -> topic -> lag) read at every scrape; returns an unregister."""
    return CONSUMER_LAG.add_source(source)


def element_finished(tenant: str, outcome: str, count: int = 1) -> None:
    ELEMENTS_FINISHED.labels(tenant, outcome).inc(count)


def elements_initialized(tenant: str, count: int = 1) -> None:
    ELEMENTS_INITIALIZED.labels(tenant).inc(count)


def elements_processed(tenant: str, count: int = 1) -> None:
    ELEMENTS_PROCESSED.labels(tenant).inc(count)


def observe_handler(tenant: str, operation_type: str, seconds: float) -> None:
    HANDLER_DURATION.labels(tenant, operation_type).observe(seconds)


def observe_handlers(tenant: str, operation_type: str, seconds: Iterable[float]) -> None:
    """Several handler calls of one operation type (one label lookup for all of them)."""
    histogram = HANDLER_DURATION.labels(tenant, operation_type)
    for value in seconds:
        histogram.observe(value)


def observe_consumer_batch(tenant: str, topic: str, size: int) -> None:
    CONSUMER_BATCH_SIZE.labels(tenant, topic).observe(size)


def throttle_waited(tenant: str, seconds: float) -> None:
    THROTTLE_WAIT.labels(tenant).inc(seconds)


def consumer_running(tenant: str, consumer: str, running: bool | None) -> None:
    """Set a consumer loop's gauge; None (the loop stopped) drops its series."""
    if running is None:
        with contextlib.suppress(KeyError):
            CONSUMER_RUNNING.remove(tenant, consumer)
        return
    CONSUMER_RUNNING.labels(tenant, consumer).set(1 if running else 0)


def dependency_circuit_state(tenant: str, dependency: str, state: int) -> None:
    DEPENDENCY_CIRCUIT_STATE.labels(tenant, dependency).set(state)


def elements_handed_back(tenant: str, reason: str, count: int = 1) -> None:
    ELEMENTS_HANDED_BACK.labels(tenant, reason).inc(count)


def forget_tenant(tenant: str) -> None:
    """Drop every series of a tenant (call when its engine stops, to bound label cardinality)."""
    OPERATIONS.forget(tenant)
    for metric in _TENANT_METRICS:
        label_names = metric._labelnames
        seen: set[tuple[str, ...]] = set()
        for family in metric.collect():
            for sample in family.samples:
                if sample.labels.get("tenant") == tenant:
                    seen.add(tuple(sample.labels[name] for name in label_names))
        for values in seen:
            metric.remove(*values)


# ---- HTTP endpoint --------------------------------------------------------------------------

_servers: dict[int, Any] = {}
_servers_lock = threading.Lock()


def start_metrics_server(port: int, host: str = "0.0.0.0", registry: CollectorRegistry = REGISTRY) -> int:
    """Serve ``registry`` at ``http://host:port/metrics`` on a daemon thread; returns the bound
    port (``port=0`` picks a free one). Raises OSError if the port cannot be bound."""
    server, _thread = start_http_server(port, addr=host, registry=registry)
    bound = int(server.server_port)
    with _servers_lock:
        _servers[bound] = server
    log.info("metrics endpoint listening", extra={"address": f"{host}:{bound}"})
    return bound


def stop_metrics_server(port: int) -> None:
    """Stop the endpoint started on ``port`` (no-op if there is none)."""
    with _servers_lock:
        server = _servers.pop(port, None)
    if server is not None:
        server.shutdown()
        server.server_close()
