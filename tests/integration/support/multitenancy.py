"""Test doubles and helpers for the multitenancy acceptance tests.

- ``TenantRecorder``: a handler that records, in this process, which tenant handled which element of
  which operation, and can hold elements at a named gate (to prove work is in flight at a given time).
- ``RecordingService``: the real ``BatchOpsService`` whose engines also log their starts and stops.
- gRPC helpers that tell "tenant not available yet" (UNAVAILABLE) apart from real errors.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import grpc

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import wait_for
from batchops.engine.handlers import ElementOutcome, HandlerContext
from batchops.engine.tenant_engine import TenantEngine
from batchops.service import BatchOpsService
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import multitenant_management_pb2 as mtm
from batchops.wire import sitewhere_common_pb2 as common
from support.api import Metadata, tenant_md, until_final

OPERATION_TYPE = "TenantRecord"
JWT_SECRET = "multitenancy-acceptance-secret-" + "x" * 40
GATE_PARAMETER = "gate"
GATE_TIMEOUT = 60.0  # a forgotten gate fails the elements instead of hanging the test
T = TypeVar("T")


@dataclass(frozen=True)
class Handled:
    tenant_id: str
    operation_id: str
    token: str


class TenantRecorder:
    operation_type = OPERATION_TYPE

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handled: list[Handled] = []
        self._gates: dict[str, threading.Event] = {}
        self._waiting: Counter[str] = Counter()  # tenant -> elements held at a gate now

    def gate(self, name: str) -> threading.Event:
        """A closed gate: elements of operations with parameter gate=<name> wait until it is set."""
        with self._lock:
            return self._gates.setdefault(name, threading.Event())

    def waiting(self, tenant_id: str) -> int:
        with self._lock:
            return self._waiting[tenant_id]

    def handled(self, tenant_id: str | None = None) -> list[Handled]:
        with self._lock:
            return [h for h in self._handled if tenant_id is None or h.tenant_id == tenant_id]

    def validate(self, operation: object) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        gate_name = context.operation.parameters.get(GATE_PARAMETER)
        if gate_name:
            gate = self.gate(gate_name)
            with self._lock:
                self._waiting[context.tenant_id] += 1
            try:
                if not gate.wait(GATE_TIMEOUT):
                    return ElementOutcome.failure(f"gate {gate_name} never opened")
            finally:
                with self._lock:
                    self._waiting[context.tenant_id] -= 1
        with self._lock:
            self._handled.append(
                Handled(context.tenant_id, str(context.operation.id), context.element.device_token)
            )
        return ElementOutcome.success()


@dataclass(frozen=True)
class EngineEvent:
    action: str  # "start" or "stop"
    tenant_id: str
    engine_id: int
    config: TenantConfiguration


class RecordingService(BatchOpsService):
    """The real service; its engines are real ``TenantEngine``s that also log starts and stops."""

    _ids = itertools.count(1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.events: list[EngineEvent] = []
        self._events_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def make_engine(self, tenant_id: str, config: TenantConfiguration) -> TenantEngine:
        return _TrackedEngine(self, tenant_id, config)

    def record(self, action: str, engine: _TrackedEngine) -> None:
        with self._events_lock:
            self.events.append(EngineEvent(action, engine.tenant_id, engine.engine_id, engine.config))

    def of(self, tenant_id: str, action: str) -> list[EngineEvent]:
        with self._events_lock:
            return [e for e in self.events if e.tenant_id == tenant_id and e.action == action]

    def engine(self, tenant_id: str) -> TenantEngine | None:
        assert self.manager is not None
        return self.manager.engine(tenant_id)  # type: ignore[return-value]

    def running_engine(self, tenant_id: str, timeout: float = 30.0, *, ready: bool = False) -> TenantEngine:
        """The tenant's engine once it runs. With ``ready``, also once its consumers hold partitions,
        so that timings measured afterwards are processing, not Kafka group joins (~3 s)."""
        engine = wait_for(lambda: self.engine(tenant_id), timeout, message=f"engine of {tenant_id} running")
        assert not ready or engine.wait_ready(timeout), f"consumers of {tenant_id} did not join their groups"
        return engine


class _TrackedEngine(TenantEngine):
    def __init__(self, service: RecordingService, tenant_id: str, config: TenantConfiguration) -> None:
        super().__init__(tenant_id, config, service.env)
        self._service = service
        self.engine_id = next(RecordingService._ids)

    def start(self) -> None:
        super().start()
        self._service.record("start", self)

    def stop(self) -> None:
        super().stop()
        self._service.record("stop", self)


class TenantIds:
    """Tenant ids unique to one test; ``used`` lists them for clean-up."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.used: list[str] = []

    def __call__(self, suffix: str) -> str:
        self.used.append(f"{self.base}-{suffix}")
        return self.used[-1]


class ServiceFactory(Protocol):
    """Builds and starts the service of the current test (ZooKeeper mode); stopped afterwards."""

    def __call__(
        self, *, zk_hosts: str | None = None, auth: bool = False, **overrides: Any
    ) -> RecordingService: ...


class Admin(Protocol):
    """Adds a tenant with the given settings (snake_case) through the admin functions."""

    def __call__(self, tenant_id: str, **settings: Any) -> None: ...


# (BatchManagement stub, MultitenantManagement stub) of a service.
Stubs = Callable[[BatchOpsService], tuple[Any, Any]]


# ---- gRPC helpers ------------------------------------------------------------------------------


def code_of(call: Callable[[], object]) -> grpc.StatusCode:
    """The status code a call ends with (OK when it returns)."""
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


def when_available(call: Callable[[], T]) -> Callable[[], T | None]:
    """For ``wait_for``: None while the tenant is UNAVAILABLE (engine not running yet); other errors raise."""

    def attempt() -> T | None:
        try:
            return call()
        except grpc.RpcError as exc:
            if exc.code() is grpc.StatusCode.UNAVAILABLE:
                return None
            raise

    return attempt


def create_operation(
    stub: Any,
    md: Metadata,
    tokens: Sequence[str],
    *,
    token: str | None = None,
    parameters: dict[str, str] | None = None,
) -> Any:
    request = bm.GBatchOperationCreateRequest(
        operationType=OPERATION_TYPE, deviceTokens=list(tokens), parameters=parameters or {}
    )
    if token:
        request.token.value = token
    response = stub.CreateBatchOperation(
        bms.GCreateBatchOperationRequest(request=request), metadata=md, timeout=30
    )
    return response.batchOperation


def get_operation(stub: Any, md: Metadata, operation_id: Any) -> Any:
    request = bms.GGetBatchOperationRequest(batchOperationId=operation_id)
    return stub.GetBatchOperation(request, metadata=md, timeout=10).batchOperation


def wait_final(stub: Any, md: Metadata, operation_id: Any, timeout: float = 60.0) -> Any:
    return until_final(lambda: get_operation(stub, md, operation_id), timeout, 0.1)


def list_element_tokens(stub: Any, md: Metadata, operation_id: Any) -> list[str]:
    request = bms.GListBatchElementsRequest(
        batchOperationId=operation_id,
        criteria=bm.GBatchElementSearchCriteria(paging=common.GPaging(pageNumber=1, pageSize=1000)),
    )
    results = stub.ListBatchElements(request, metadata=md, timeout=10).results
    return [element.deviceToken for element in results.batchElements]


def engine_available(mtm_stub: Any, tenant_id: str) -> bool:
    request = mtm.GCheckTenantEngineAvailableRequest()
    response = mtm_stub.CheckTenantEngineAvailable(request, metadata=tenant_md(tenant_id), timeout=10)
    return bool(response.available)


def span_seconds(operation: Any) -> float:
    """Processing span from the stored dates (epoch ms): initialization start to the final status."""
    started, ended = operation.processingStartedDate, operation.processingEndedDate
    assert started and ended >= started, (started, ended)
    return float(ended - started) / 1000.0
