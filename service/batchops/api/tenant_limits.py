"""Per-tenant concurrency limits: one tenant's slow calls cannot take every gRPC worker.

A call beyond its tenant's limit fails at once with RESOURCE_EXHAUSTED instead of queueing for a
worker, so other tenants (and the caller's own retries) keep being served while one tenant's
dependency hangs. Counts live only while calls run: a tenant without calls holds no entry, so
made-up tenant names cannot grow the table.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

import grpc

from batchops.api.interceptors import Behaviour, Handler, header, wrap_handler
from batchops.api.tenancy import TENANT_HEADER


class TenantCalls:
    """Counts the calls in progress per tenant; ``enter`` refuses past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._running: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, tenant: str) -> bool:
        with self._lock:
            running = self._running.get(tenant, 0)
            if running >= self.limit:
                return False
            self._running[tenant] = running + 1
            return True

    def leave(self, tenant: str) -> None:
        with self._lock:
            running = self._running.pop(tenant) - 1
            if running:
                self._running[tenant] = running

    def running(self, tenant: str) -> int:
        with self._lock:
            return self._running.get(tenant, 0)


class TenantConcurrencyInterceptor(grpc.ServerInterceptor):
    """Applies ``TenantCalls`` to every call of ``services`` that names a tenant."""

    def __init__(self, calls: TenantCalls, services: Iterable[str]) -> None:
        self.calls = calls
        self._prefixes = tuple(f"/{name}/" for name in services)

    def intercept_service(self, continuation: Any, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler: Handler | None = continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith(self._prefixes):
            return handler
        tenant = header(handler_call_details.invocation_metadata, TENANT_HEADER)
        if not tenant:  # the servicer answers a missing tenant itself
            return handler
        return wrap_handler(handler, lambda behaviour: self._limited(tenant, behaviour))

    def _limited(self, tenant: str, behaviour: Behaviour) -> Behaviour:
        def run(request: Any, context: grpc.ServicerContext) -> Any:
            if not self.calls.enter(tenant):
                context.abort(
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                    f"1:Tenant {tenant[:64]!r} already has {self.calls.limit} calls in progress; "
                    "retry later.",
                )
            try:
                return behaviour(request, context)
            finally:
                self.calls.leave(tenant)

        return run
