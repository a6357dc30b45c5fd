"""Assembles one batchops process: datastore connection, tenant routing, the gRPC API."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from batchops.api import BatchManagementServicer, GrpcServer, OpenTenantRouter, PagingLimits, TenantRouter
from batchops.config import Settings
from batchops.store import MongoConnector
from batchops.wire import batch_management_pb2

log = logging.getLogger(__name__)

BATCH_MANAGEMENT = batch_management_pb2.DESCRIPTOR.services_by_name["BatchManagement"]


class BatchOpsService:
    """Everything one process runs. ``start`` returns once the API is serving."""

    def __init__(self, settings: Settings, router: TenantRouter | None = None) -> None:
        self.settings = settings
        self.connector = MongoConnector(settings.mongodb_uri, settings.mongodb_tenant_prefix)
        self.router: TenantRouter = router or OpenTenantRouter(
            self.connector, target_chunk_size=settings.target_chunk_size
        )
        self.server = GrpcServer(
            settings.grpc_host, settings.grpc_port, max_message_bytes=settings.grpc_max_message_bytes
        )
        self.server.add_service(
            BATCH_MANAGEMENT,
            BatchManagementServicer(
                self.router,
                PagingLimits(settings.default_page_size, settings.max_page_size),
                settings.max_device_tokens,
            ),
        )
        self._stopped = threading.Event()

    @property
    def port(self) -> int:
        return self.server.port

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        log.info(
            "stopping: draining in-flight calls", extra={"grace_seconds": self.settings.grpc_grace_seconds}
        )
        self.server.stop(self.settings.grpc_grace_seconds)
        self.connector.close()
        log.info("stopped")

    def run_until_signalled(self) -> None:
        """Serve until SIGTERM or SIGINT, then stop gracefully."""
        stop_requested = threading.Event()

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            log.info("signal received", extra={"signal": signal.Signals(signum).name})
            stop_requested.set()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        stop_requested.wait()
        self.stop()
