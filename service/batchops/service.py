"""Assembles one batchops process: datastore, handlers, outgoing clients, tenant engines (from
ZooKeeper, or a fixed list), and the gRPC API in front of them."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from types import FrameType

from batchops import metrics
from batchops.api import (
    BatchManagementServicer,
    GrpcServer,
    ManagedRouter,
    MultitenantManagementServicer,
    PagingLimits,
    StaticRouter,
    TenantRouter,
)
from batchops.api.auth import Authenticator, AuthInterceptor, AuthSettings, describe_auth
from batchops.api.criteria import CriteriaTargeting
from batchops.api.system_token import SystemTokenIssuer
from batchops.api.tenant_health import TenantHealth
from batchops.api.tenant_limits import TenantCalls, TenantConcurrencyInterceptor
from batchops.api.tls import TlsFiles
from batchops.clients import ClientSettings, ServiceClients, connect
from batchops.config import Settings
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.handlers.command_invocation import BatchCommandInvocationHandler
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.memory import limit_malloc_arenas
from batchops.messaging.kafka import KafkaConfig
from batchops.store import MongoConnector
from batchops.tenants import TenantConfiguration, TenantEngineManager
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


def client_settings(settings: Settings) -> ClientSettings:
    return ClientSettings.for_instance(
        settings.instance_id,
        settings.grpc_namespace or None,
        device_management_address=settings.device_management_address,
        event_management_address=settings.event_management_address,
        deadline_seconds=settings.grpc_client_deadline_seconds,
        max_attempts=settings.grpc_client_max_attempts,
        initial_backoff_seconds=settings.grpc_client_initial_backoff_seconds,
        max_backoff_seconds=settings.grpc_client_max_backoff_seconds,
        backoff_multiplier=settings.grpc_client_backoff_multiplier,
        retry_writes_on_deadline=settings.grpc_client_retry_writes_on_deadline,
        page_size=settings.targeting_page_size,
        lookup_concurrency=settings.targeting_lookup_concurrency,
    )


def auth_settings(settings: Settings) -> AuthSettings:
    secret = settings.auth_jwt_secret
    return AuthSettings(
        enabled=settings.auth_enabled,
        hs256_secret=secret.get_secret_value() if secret is not None else None,
        rs256_public_key=settings.auth_jwt_public_key,
        issuer=settings.auth_jwt_issuer,
        audience=settings.auth_jwt_audience,
        leeway_seconds=settings.auth_jwt_leeway_seconds,
        max_lifetime_seconds=settings.auth_jwt_max_lifetime_seconds,
    )


def tls_files(settings: Settings) -> TlsFiles | None:
    if not settings.grpc_tls_cert_file or not settings.grpc_tls_key_file:
        return None
    return TlsFiles(settings.grpc_tls_cert_file, settings.grpc_tls_key_file, settings.grpc_tls_client_ca_file)


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
        self.connector = MongoConnector(settings.mongodb_uri, settings.mongodb_tenant_prefix)
        self.registry = registry or default_registry()
        self.clients: ServiceClients = connect(client_settings(settings))
        self.auth = auth_settings(settings)
        self.env = EngineEnvironment(
            kafka=KafkaConfig(settings.kafka_bootstrap_servers, settings.kafka_overrides),
            connector=self.connector,
            registry=self.registry,
            product_id=settings.product_id,
            instance_id=settings.instance_id,
            instance_name=settings.instance_name,
            target_chunk_size=settings.target_chunk_size,
            recovery_interval_seconds=settings.recovery_interval_seconds,
            recovery_stale_seconds=settings.recovery_stale_seconds,
            services=self.clients.services,
            topic_partitions=settings.kafka_topic_partitions,
            topic_replication=settings.kafka_topic_replication,
            max_device_tokens=settings.max_device_tokens,
            initialization_timeout_seconds=settings.initialization_timeout_seconds,
            # Processing runs long after the caller's call (and JWT) ended: outgoing calls carry a
            # short-lived token of the tenant's system user instead, as SiteWhere's engines did.
            system_token=SystemTokenIssuer(self.auth).token,
        )
        self.manager: TenantEngineManager | None = None
        self.static_engines: dict[str, TenantEngine] = {}
        if router_factory is not None:
            self.router = router_factory(self.connector)
        elif settings.static_tenants:
            self.router = StaticRouter()
        else:
            self.manager = TenantEngineManager(
                settings.zookeeper_hosts,
                settings.instance_id,
                self.make_engine,
                instance_name=settings.instance_name,
                credentials=credentials_from_settings(settings),
            )
            self.router = ManagedRouter(self.manager)
        self.server = GrpcServer(
            settings.grpc_host,
            settings.grpc_port,
            max_message_bytes=settings.grpc_max_message_bytes,
            max_request_bytes=settings.grpc_max_request_bytes,
            tls=tls_files(settings),
            health_port=settings.grpc_health_port,
            # Metrics outermost, so calls the auth interceptor refuses are counted too.
            interceptors=[
                metrics.MetricsInterceptor(),
                AuthInterceptor(
                    Authenticator(self.auth),
                    services=(BATCH_MANAGEMENT.full_name, MULTITENANT_MANAGEMENT.full_name),
                ),
                # After auth: only authenticated calls count against their tenant's limit.
                TenantConcurrencyInterceptor(
                    TenantCalls(settings.grpc_tenant_max_concurrent_calls),
                    services=(BATCH_MANAGEMENT.full_name, MULTITENANT_MANAGEMENT.full_name),
                ),
            ],
        )
        self.server.add_service(
            BATCH_MANAGEMENT,
            BatchManagementServicer(
                self.router,
                PagingLimits(settings.default_page_size, settings.max_page_size, settings.max_page_bytes),
                settings.max_device_tokens,
                targeting=CriteriaTargeting(
                    self.clients.device_management,
                    page_size=settings.targeting_page_size,
                    lookup_concurrency=settings.targeting_lookup_concurrency,
                ),
            ),
        )
        self.server.add_service(MULTITENANT_MANAGEMENT, MultitenantManagementServicer(self.router))
        self.tenant_health = TenantHealth(self.server, self._engines)
        self._stopped = threading.Event()

    def _engines(self) -> Mapping[str, object | None]:
        if self.manager is not None:
            return self.manager.engines()
        return dict(self.static_engines)

    def make_engine(self, tenant_id: str, config: TenantConfiguration) -> TenantEngine:
        return TenantEngine(tenant_id, config, self.env)

    @property
    def port(self) -> int:
        return self.server.port

    def start(self) -> None:
        (log.info if self.auth.enabled else log.warning)(describe_auth(self.auth))
        if self.manager is not None:
            self.manager.start()
        for tenant_id in self.settings.static_tenants:
            engine = self.make_engine(tenant_id, TenantConfiguration())
            engine.start()
            self.static_engines[tenant_id] = engine
            assert isinstance(self.router, StaticRouter)
            self.router.add(tenant_id, engine)
        self.server.start()
        self.tenant_health.start()

    def stop(self) -> None:
        """Stop taking calls, drain in-flight ones, then stop the engines (consumers leave their
        groups, producers flush) and close connections."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        log.info(
            "stopping: draining in-flight calls", extra={"grace_seconds": self.settings.grpc_grace_seconds}
        )
        self.tenant_health.stop()
        self.server.stop(self.settings.grpc_grace_seconds)
        if self.manager is not None:
            self.manager.stop()
        for engine in self.static_engines.values():
            engine.stop()
        self.clients.close()
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
