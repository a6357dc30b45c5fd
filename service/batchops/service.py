"""Assembles one batchops process: datastore, handlers, outgoing clients, tenant engines (from
ZooKeeper, or a fixed list), and the gRPC API in front of them."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from types import FrameType

from batchops.api import (
    BatchManagementServicer,
    GrpcServer,
    ManagedRouter,
    MultitenantManagementServicer,
    PagingLimits,
    StaticRouter,
    TenantRouter,
)
from batchops.api.auth import Authenticator, AuthInterceptor, describe_auth
from batchops.api.criteria import CriteriaTargeting
from batchops.api.metrics_interceptor import MetricsInterceptor
from batchops.api.system_token import SystemTokenIssuer
from batchops.api.tenant_health import TenantHealth
from batchops.api.tenant_limits import TenantCalls, TenantConcurrencyInterceptor
from batchops.api.tls import TlsFiles
from batchops.clients import ServiceClients, connect
from batchops.config import AuthSettings, GrpcServerSettings, GrpcTlsSettings, Settings
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.handlers.command_invocation import BatchCommandInvocationHandler
from batchops.engine.stopping import EXIT_MARGIN, StopDeadline, remaining
from batchops.engine.tenant_engine import EngineEnvironment, OutgoingCalls, TenantEngine
from batchops.memory import limit_malloc_arenas
from batchops.messaging.kafka import KafkaConfig
from batchops.store import MongoConnector
from batchops.tenants import TenantConfiguration, TenantEngineManager, ZkConnection
from batchops.tenants.zk_auth import credentials_from_settings
from batchops.wire import batch_management_pb2, multitenant_management_pb2

log = logging.getLogger(__name__)

BATCH_MANAGEMENT = batch_management_pb2.DESCRIPTOR.services_by_name["BatchManagement"]
MULTITENANT_MANAGEMENT = multitenant_management_pb2.DESCRIPTOR.services_by_name["MultitenantManagement"]

RouterFactory = Callable[[MongoConnector], TenantRouter]


def default_registry() -> HandlerRegistry:
    """Built-in handlers plus those installed under the ``batchops.handlers`` entry-point group."""
    registry = HandlerRegistry([BatchCommandInvocationHandler()])
    registry.load_entry_points()
    return registry


def tls_files(settings: GrpcTlsSettings) -> TlsFiles | None:
    if not settings.cert_file or not settings.key_file:
        return None
    return TlsFiles(settings.cert_file, settings.key_file, settings.client_ca_file)


def engine_environment(
    settings: Settings, connector: MongoConnector, registry: HandlerRegistry, clients: ServiceClients
) -> EngineEnvironment:
    return EngineEnvironment(
        kafka=KafkaConfig(settings.kafka.bootstrap_servers, settings.kafka.overrides),
        connector=connector,
        registry=registry,
        instance=settings.instance,
        topic_defaults=settings.kafka,
        limits=settings.limits,
        recovery=settings.recovery,
        # Processing runs long after the caller's call (and JWT) ended: outgoing calls carry a
        # short-lived token of the tenant's system user instead, as SiteWhere's engines did.
        outgoing=OutgoingCalls(clients.services, SystemTokenIssuer(settings.auth).token),
    )


def grpc_server(settings: GrpcServerSettings, auth: AuthSettings) -> GrpcServer:
    """The server with its interceptors; services are added by the caller."""
    services = (BATCH_MANAGEMENT.full_name, MULTITENANT_MANAGEMENT.full_name)
    return GrpcServer(
        settings.host,
        settings.port,
        max_message_bytes=settings.max_message_bytes,
        max_request_bytes=settings.max_request_bytes,
        tls=tls_files(settings.tls),
        health_port=settings.health_port,
        # Metrics outermost, so calls the auth interceptor refuses are counted too.
        interceptors=[
            MetricsInterceptor(),
            AuthInterceptor(Authenticator(auth), services=services),
            # After auth: only authenticated calls count against their tenant's limit.
            TenantConcurrencyInterceptor(
                TenantCalls(settings.tenant_max_concurrent_calls), services=services
            ),
        ],
    )


def batch_management(
    settings: Settings, router: TenantRouter, clients: ServiceClients
) -> BatchManagementServicer:
    limits, targeting = settings.limits, settings.targeting
    return BatchManagementServicer(
        router,
        PagingLimits(limits.default_page_size, limits.max_page_size, limits.max_page_bytes),
        limits.max_device_tokens,
        targeting=CriteriaTargeting(
            clients.device_management,
            page_size=targeting.page_size,
            lookup_concurrency=targeting.lookup_concurrency,
        ),
    )


class BatchOpsService:
    """Everything one process runs. ``start`` returns once the API is serving; tenant engines
    come up in the background (calls to a tenant get UNAVAILABLE until its engine runs)."""

    def __init__(
        self,
        settings: Settings,
        *,
        router_factory: RouterFactory | None = None,
        registry: HandlerRegistry | None = None,
    ) -> None:
        # Before the clients, engines and gRPC server start their threads (see batchops.memory).
        limit_malloc_arenas()
        self.settings = settings
        self.connector = MongoConnector(
            settings.mongodb.uri, settings.mongodb.tenant_prefix, in_filter_ids=settings.mongodb.in_filter_ids
        )
        self.registry = registry or default_registry()
        instance = settings.instance
        self.clients: ServiceClients = connect(
            settings.grpc_client.with_default_addresses(instance.instance_id, instance.namespace or None)
        )
        self.auth = settings.auth
        self.env = engine_environment(settings, self.connector, self.registry, self.clients)
        self.manager: TenantEngineManager | None = None
        self.static_engines: dict[str, TenantEngine] = {}
        self.router = self._router(router_factory)
        self.server = grpc_server(settings.grpc, settings.auth)
        self.server.add_service(BATCH_MANAGEMENT, batch_management(settings, self.router, self.clients))
        self.server.add_service(MULTITENANT_MANAGEMENT, MultitenantManagementServicer(self.router))
        self.tenant_health = TenantHealth(self.server, self._engines)
        self.stop_deadline = StopDeadline(settings.shutdown_grace)
        self._stopped = threading.Event()
        self._stop_done = threading.Event()

    def _router(self, router_factory: RouterFactory | None) -> TenantRouter:
        """Tenants from the factory, a fixed list, or (the default) ZooKeeper via the manager."""
        if router_factory is not None:
            return router_factory(self.connector)
        if self.settings.instance.static_tenants:
            return StaticRouter()
        zookeeper, instance = self.settings.zookeeper, self.settings.instance
        self.manager = TenantEngineManager(
            ZkConnection(zookeeper.hosts, credentials=credentials_from_settings(zookeeper)),
            instance.instance_id,
            self.make_engine,
            instance_name=instance.instance_name,
        )
        return ManagedRouter(self.manager)

    def _engines(self) -> Mapping[str, object | None]:
        if self.manager is not None:
            return self.manager.engines()
        return dict(self.static_engines)

    def make_engine(self, tenant_id: str, config: TenantConfiguration) -> TenantEngine:
        return TenantEngine(tenant_id, config, self.env, stop_deadline=self.stop_deadline)

    @property
    def port(self) -> int:
        return self.server.port

    def start(self) -> None:
        (log.info if self.auth.enabled else log.warning)(describe_auth(self.auth))
        if self.manager is not None:
            self.manager.start()
        for tenant_id in self.settings.instance.static_tenants:
            engine = self.make_engine(tenant_id, TenantConfiguration())
            engine.start()
            self.static_engines[tenant_id] = engine
            assert isinstance(self.router, StaticRouter)
            self.router.add(tenant_id, engine)
        self.server.start()
        self.tenant_health.start()

    def stop(self) -> None:
        """Stop within the shutdown grace + 5 s (see ``engine.stopping``). At once: health
        NOT_SERVING, no new calls, no new records, no new handler calls. In-flight calls and
        running handlers get until the grace; then each engine stores the outcomes its handlers
        returned, hands the claims left back to Unprocessed, commits offsets only for batches
        done, leaves its consumer groups and flushes its producer. Last, the outgoing channels
        close (calls still blocked on a dependency that never answers return; what they bring is
        discarded) and then the MongoDB client."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        deadline = self.stop_deadline.begin()
        log.info(
            "stopping: in-flight calls and handlers get the grace",
            extra={"grace_seconds": self.stop_deadline.grace},
        )
        self.tenant_health.stop()
        drained = self.server.begin_stop(self.stop_deadline.grace)
        for engine in self._engines().values():
            if isinstance(engine, TenantEngine):
                engine.request_stop()
        drained.wait(remaining(deadline, floor=0.1))
        self.server.finish_stop()
        if self.manager is not None:
            self.manager.stop()
        self._stop_static_engines(deadline + EXIT_MARGIN)
        self.clients.close()
        self.connector.close()
        log.info("stopped")

    def _stop_static_engines(self, by: float) -> None:
        stopping = [
            threading.Thread(target=engine.stop, name=f"stop-{tenant_id}", daemon=True)
            for tenant_id, engine in self.static_engines.items()
        ]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join(remaining(by))

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
        self._exit_by(self.stop_deadline.begin() + EXIT_MARGIN - 0.5)
        self.stop()
        self._stop_done.set()

    def _exit_by(self, exit_by: float) -> None:
        """End the process by ``exit_by`` (``time.monotonic``) whatever its threads do: a handler
        thread blocked in a call that ignores cancellation must not keep it alive (worker threads
        are joined at interpreter exit). After a complete stop its work was handed back, so the
        exit code stays 0; a stop that overran exits 1."""

        def watch() -> None:
            stopped = self._stop_done.wait(remaining(exit_by))
            if stopped:
                time.sleep(remaining(exit_by))
                log.warning("threads still running after the stop; ending the process")
            else:
                log.error("stopping overran its bound; ending the process")
            for handler in logging.getLogger().handlers:
                handler.flush()
            os._exit(0 if stopped else 1)

        threading.Thread(target=watch, name="exit-watchdog", daemon=True).start()
