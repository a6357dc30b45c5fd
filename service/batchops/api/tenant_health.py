"""Per-tenant entries of the standard gRPC health service.

``grpc.health.v1.Health/Check`` with service ``batchops.tenant/<tenantId>`` answers SERVING while
that tenant's engine runs with both consumers polling, and NOT_SERVING while its engine is down
or a consumer is restarting after a crash (records are then not being worked on). A tenant that
is no longer configured reads SERVICE_UNKNOWN. The overall entry ("") stays about the process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from batchops.api.server import GrpcServer

log = logging.getLogger(__name__)

TENANT_HEALTH_PREFIX = "batchops.tenant/"

# tenant id -> its engine (anything with a ``healthy`` flag), None while it is not running
EngineSource = Callable[[], Mapping[str, object | None]]


def tenant_health_name(tenant_id: str) -> str:
    return TENANT_HEALTH_PREFIX + tenant_id


class TenantHealth:
    """Refreshes the per-tenant entries every ``interval`` seconds on its own thread."""

    def __init__(self, server: GrpcServer, engines: EngineSource, interval: float = 1.0) -> None:
        self._server = server
        self._engines = engines
        self._interval = interval
        self._known: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tenant-health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def refresh(self) -> None:
        engines = dict(self._engines())
        for tenant_id, engine in engines.items():
            healthy = engine is not None and bool(getattr(engine, "healthy", True))
            self._server.set_service_health(tenant_health_name(tenant_id), healthy)
        for gone in self._known - set(engines):
            self._server.set_service_health(tenant_health_name(gone), None)
        self._known = set(engines)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:  # a failed refresh must not end the reporting
                log.exception("refreshing per-tenant health failed")
            self._stop.wait(self._interval)
