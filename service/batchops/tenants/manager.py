"""The tenant engine manager: one engine per configured tenant, following ZooKeeper.

Every change notification only says "look at tenant X again"; the tenant's job (one at a time per
tenant, on a small shared pool) re-reads its nodes, re-arming the one-shot watches, and converges:
start, restart on a new configuration (keyed by config node + bytes, so repeated notifications and
resyncs never start an engine twice), or stop. ZooKeeper outages leave engines as they are: a read
that fails changes nothing, and the reconnect triggers a full resync.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException
from kazoo.handlers.threading import KazooTimeoutError

from batchops.config.tenant import TenantConfigurationError
from batchops.errors import BatchopsError, ErrorKind
from batchops.retry import Backoff
from batchops.tenants.layout import ZkLayout
from batchops.tenants.managed_engine import EngineFactory, ManagedEngine
from batchops.tenants.nodes import TenantNodes, read_tenant_nodes
from batchops.tenants.presence import Presence
from batchops.tenants.runner import Desired, TenantRunner
from batchops.tenants.serial import KeyedSerialExecutor
from batchops.tenants.status import TenantState, TenantStatus
from batchops.tenants.watcher import TenantListWatcher
from batchops.tenants.zk_auth import ZkCredentials, client_options

log = logging.getLogger(__name__)


DEFAULT_BACKOFF = Backoff()


class TenantManagerError(BatchopsError):
    """The manager cannot run (e.g. ZooKeeper unreachable at start)."""

    kind = ErrorKind.UNAVAILABLE


@dataclass(frozen=True)
class ZkConnection:
    """How the manager reaches ZooKeeper."""

    hosts: str
    session_timeout: float = 10.0
    connect_timeout: float = 15.0
    credentials: ZkCredentials | None = None


class TenantEngineManager:
    def __init__(
        self,
        zookeeper: ZkConnection,
        instance_id: str,
        factory: EngineFactory,
        *,
        instance_name: str,
        workers: int = 4,
        resync_interval: float = 60.0,
        # Engine starts that fail are retried after a growing delay (see Backoff).
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        self._zk_hosts = zookeeper.hosts
        self._layout = ZkLayout(instance_id)
        self._factory = factory
        self._connect_timeout = zookeeper.connect_timeout
        self._backoff = backoff
        # Reconnect quickly after an outage (kazoo's default backoff grows to an hour).
        self._client = KazooClient(
            hosts=zookeeper.hosts,
            timeout=zookeeper.session_timeout,
            connection_retry={"max_tries": -1, "max_delay": 2.0},
            **client_options(zookeeper.credentials),
        )
        self._lock = threading.Lock()
        self._changed = threading.Condition()
        self._runners: dict[str, TenantRunner] = {}
        self._watches: dict[str, Callable[[Any], None]] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._retry_due: set[str] = set()
        self._executor = KeyedSerialExecutor(self._reconcile, workers, "tenant-engine")
        self._watcher = TenantListWatcher(self._client, self._layout, self._request, resync_interval)
        self._presence = Presence(self._client, self._layout, instance_name)
        self._started = False
        self._closing = False
        self._disconnected = False

    @property
    def layout(self) -> ZkLayout:
        return self._layout

    @property
    def client(self) -> KazooClient:
        """The ZooKeeper client (diagnostics and tests)."""
        return self._client

    def start(self) -> None:
        """Connect, register this instance, start watching; engines start in the background."""
        if self._started:
            raise TenantManagerError("the tenant engine manager can only be started once")
        self._started = True
        try:
            self._client.start(timeout=self._connect_timeout)
        except KazooTimeoutError:
            self._client.stop()
            self._client.close()
            raise TenantManagerError(
                f"cannot reach ZooKeeper at {self._zk_hosts} within {self._connect_timeout:g} s"
            ) from None
        self._client.add_listener(self._on_state)
        self._presence.start()
        self._watcher.start()
        log.info("tenant engine manager watching %s", self._layout.tenants_conf)

    def stop(self) -> None:
        """Stop every engine (in parallel, each after its pending start/stop), then leave ZooKeeper."""
        if self._closing or not self._started:
            return
        self._closing = True
        self._watcher.stop()
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
            tenants = list(self._runners)
        for timer in timers:
            timer.cancel()
        if self._client.connected:
            self._presence.stop()
        # Closing the session first makes any read blocked on a dead connection fail at once.
        self._client.stop()
        for tenant_id in tenants:
            self._executor.request(tenant_id)
        self._executor.shutdown()
        self._client.close()
        log.info("tenant engine manager stopped")

    def engine(self, tenant_id: str) -> ManagedEngine | None:
        """The tenant's engine if it is running."""
        with self._lock:
            runner = self._runners.get(tenant_id)
        return runner.running_engine if runner is not None else None

    def engines(self) -> dict[str, ManagedEngine | None]:
        """Every configured tenant with its running engine (None while it is not running)."""
        with self._lock:
            runners = list(self._runners.values())
        return {runner.tenant_id: runner.running_engine for runner in runners}

    def status(self) -> dict[str, TenantStatus]:
        with self._lock:
            runners = list(self._runners.values())
        return {runner.tenant_id: runner.status() for runner in runners}

    def wait_until_running(self, tenant_id: str, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.engine(tenant_id) is not None, timeout)

    # --- change notifications (kazoo threads and the watcher thread: never block) ---

    def _request(self, tenant_ids: Iterable[str]) -> None:
        for tenant_id in tenant_ids:
            self._executor.request(tenant_id)

    def _watch_for(self, tenant_id: str) -> Callable[[Any], None]:
        # One callable per tenant: kazoo keeps a set per path, so re-arming never piles up callbacks.
        with self._lock:
            watch = self._watches.get(tenant_id)
            if watch is None:

                def watch(event: Any) -> None:
                    if getattr(event, "type", None) != "NONE":  # NONE: connection events, see _on_state
                        self._executor.request(tenant_id)

                self._watches[tenant_id] = watch
            return watch

    def _on_state(self, state: str) -> None:
        if self._closing:
            return
        if state == KazooState.LOST:
            self._disconnected = True
            log.warning("ZooKeeper session lost; engines keep running, resync on reconnect")
        elif state == KazooState.SUSPENDED:
            self._disconnected = True
            log.warning("ZooKeeper connection suspended; engines keep running")
        elif state == KazooState.CONNECTED and self._disconnected:
            self._disconnected = False
            log.info("ZooKeeper reconnected; resynchronising tenants")
            self._watcher.resync()
            with self._lock:
                tenants = list(self._runners)
            self._request(tenants)

    def _retry(self, tenant_id: str) -> None:
        with self._lock:
            self._timers.pop(tenant_id, None)
            self._retry_due.add(tenant_id)
        self._executor.request(tenant_id)

    # --- per-tenant job (pool thread, one at a time per tenant) ---

    def _reconcile(self, tenant_id: str) -> None:
        with self._lock:
            runner = self._runners.get(tenant_id)
            retry_due = tenant_id in self._retry_due
            self._retry_due.discard(tenant_id)
        if self._closing:
            if runner is not None:
                runner.apply(None)
            return
        try:
            nodes = read_tenant_nodes(self._client, self._layout, tenant_id, self._watch_for(tenant_id))
        except KazooException as exc:
            log.info(
                "tenant not readable now (%s); left as is", type(exc).__name__, extra={"tenant": tenant_id}
            )
            if retry_due:
                self._schedule_retry(tenant_id, self._backoff.initial)
            return
        desired = _desired(nodes)
        if desired is None:  # removed, or not (yet) configured: no engine, no status entry
            if runner is not None:
                runner.apply(None)
            self._forget(tenant_id)
            return
        if runner is None:
            with self._lock:
                runner = self._runners.setdefault(
                    tenant_id, TenantRunner(tenant_id, self._factory, self._backoff, self._changed)
                )
        was_running = runner.status().state is TenantState.RUNNING
        delay = runner.apply(desired, retry_due)
        if self._closing:
            # stop() began meanwhile and may not have seen this runner: do its part here.
            runner.apply(None)
            return
        if delay is not None:
            self._schedule_retry(tenant_id, delay)
        elif not was_running and runner.status().state is TenantState.RUNNING:
            self._mark_bootstrapped(tenant_id)

    def _schedule_retry(self, tenant_id: str, delay: float) -> None:
        timer = threading.Timer(delay, self._retry, args=(tenant_id,))
        timer.daemon = True
        with self._lock:
            previous = self._timers.pop(tenant_id, None)
            self._timers[tenant_id] = timer
        if previous is not None:
            previous.cancel()
        timer.start()

    def _forget(self, tenant_id: str) -> None:
        with self._lock:
            self._runners.pop(tenant_id, None)
            self._watches.pop(tenant_id, None)
            self._retry_due.discard(tenant_id)
            timer = self._timers.pop(tenant_id, None)
        if timer is not None:
            timer.cancel()
        with self._changed:
            self._changed.notify_all()

    def _mark_bootstrapped(self, tenant_id: str) -> None:
        # SiteWhere's per-service tenant state marker; informational for operators.
        try:
            self._client.ensure_path(self._layout.tenant_bootstrapped(tenant_id))
        except KazooException as exc:
            log.info("could not write the tenant bootstrapped marker (%s)", exc, extra={"tenant": tenant_id})


def _desired(nodes: TenantNodes) -> Desired | None:
    if not nodes.exists or not nodes.configured:
        return None
    source = nodes.source()
    key = (source.node, source.data)
    try:
        return Desired(key, source.parse())
    except TenantConfigurationError as exc:
        return Desired(key, None, f"{source.node}: {exc}")
