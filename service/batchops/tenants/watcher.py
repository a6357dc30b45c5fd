"""Watch the tenant list under ``/<instanceId>/conf/tenants`` and report which tenants to look at.

Level-triggered: a ZooKeeper watch only says "something changed"; the list is then re-read (which
re-arms the one-shot watch) and diffed against the last one. A full resync also reports every known
tenant, so the manager re-reads them all: after a reconnect (kazoo drops all watches when the
connection is lost) and periodically as a safety net, like SiteWhere 3's informer resync.
All ZooKeeper reads happen on this watcher's own thread, never on kazoo's callback threads.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NoNodeError

from batchops.domain.errors import DomainError
from batchops.domain.validation import check_tenant_id
from batchops.tenants.layout import ZkLayout

log = logging.getLogger(__name__)


class _Event(Enum):
    CHANGED = "changed"
    RESYNC = "resync"
    STOP = "stop"


class TenantListWatcher:
    def __init__(
        self,
        client: KazooClient,
        layout: ZkLayout,
        on_tenants: Callable[[Iterable[str]], None],
        resync_interval: float = 60.0,
    ) -> None:
        self._client = client
        self._layout = layout
        self._on_tenants = on_tenants
        self._resync_interval = resync_interval
        self._events: queue.SimpleQueue[_Event] = queue.SimpleQueue()
        self._known: frozenset[str] = frozenset()
        self._ignored: set[str] = set()
        self._bootstrapped: bool | None = None
        self._thread = threading.Thread(target=self._run, name="tenant-list-watcher", daemon=True)

    @property
    def known(self) -> frozenset[str]:
        return self._known

    def start(self) -> None:
        self._events.put(_Event.RESYNC)
        self._thread.start()

    def resync(self) -> None:
        """Re-read everything soon (non-blocking; safe from kazoo callbacks)."""
        self._events.put(_Event.RESYNC)

    def stop(self, timeout: float = 5.0) -> None:
        self._events.put(_Event.STOP)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _on_watch(self, _event: Any) -> None:
        self._events.put(_Event.CHANGED)

    def _run(self) -> None:
        while True:
            try:
                first = self._events.get(timeout=self._resync_interval)
            except queue.Empty:
                first = _Event.RESYNC
            pending = {first}
            while not self._events.empty():  # coalesce a burst into one refresh
                pending.add(self._events.get_nowait())
            if _Event.STOP in pending:
                return
            try:
                self._refresh(full=_Event.RESYNC in pending)
            except KazooException as exc:
                # Disconnected: nothing to do until the reconnect, which asks for a resync.
                log.info("tenant list not readable now (%s); waiting for ZooKeeper", type(exc).__name__)
            except Exception:
                log.exception("tenant list refresh failed")

    def _refresh(self, full: bool) -> None:
        if full or not self._bootstrapped:
            self._check_bootstrapped()
        listed = self._valid(self._list())
        previous = self._known
        self._known = listed
        changed = (listed | previous) if full else (listed ^ previous)
        for tenant_id in sorted(listed - previous):
            log.info("tenant found", extra={"tenant": tenant_id})
        for tenant_id in sorted(previous - listed):
            log.info("tenant removed", extra={"tenant": tenant_id})
        if changed:
            self._on_tenants(sorted(changed))

    def _list(self) -> list[str]:
        path = self._layout.tenants_conf
        while True:
            try:
                return list(self._client.get_children(path, watch=self._on_watch))
            except NoNodeError:
                # No tenant folder yet: watch for its creation instead.
                if self._client.exists(path, watch=self._on_watch) is None:
                    return []

    def _valid(self, names: Iterable[str]) -> frozenset[str]:
        valid = set()
        for name in names:
            try:
                valid.add(check_tenant_id(name))
            except DomainError:
                if name not in self._ignored:
                    self._ignored.add(name)
                    log.warning("ignoring tenant folder %r: not a valid tenant id", name)
        return frozenset(valid)

    def _check_bootstrapped(self) -> None:
        present = self._client.exists(self._layout.bootstrapped_marker, watch=self._on_watch) is not None
        if present != self._bootstrapped:
            if present:
                log.info("tenants bootstrapped marker present: %s", self._layout.bootstrapped_marker)
            else:
                # SiteWhere's services wait for it; we proceed (our own `tenants add` creates it).
                log.warning(
                    "tenants bootstrapped marker %s absent; watching tenants anyway",
                    self._layout.bootstrapped_marker,
                )
            self._bootstrapped = present
