"""This instance's ephemeral node under ``/<instanceId>/instances/batch-operations/``.

ZooKeeper deletes an ephemeral node with the session that created it, so it is recreated after every
reconnect (a lost session means a new one). If the node still belongs to an older session (a restart
faster than the session timeout), we wait for it to disappear and then take it over.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from datetime import UTC, datetime
from typing import Any

from kazoo.client import KazooClient, KazooState
from kazoo.exceptions import KazooException, NodeExistsError, NoNodeError

from batchops.tenants.layout import ZkLayout

log = logging.getLogger(__name__)


class Presence:
    def __init__(self, client: KazooClient, layout: ZkLayout, instance_name: str) -> None:
        self._client = client
        self.path = layout.instance_presence(instance_name)
        self._data = json.dumps(
            {
                "instance": instance_name,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "startedAt": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        ).encode()
        self._lock = threading.Lock()
        self._active = False

    def start(self) -> None:
        self._active = True
        self._client.add_listener(self._on_state)
        self.ensure()

    def stop(self) -> None:
        """Remove the node now rather than at session close (only if it is ours)."""
        self._active = False
        self._client.remove_listener(self._on_state)
        try:
            _data, stat = self._client.get(self.path)
            if stat.ephemeralOwner == self._session_id():
                self._client.delete(self.path, version=stat.version)
        except (NoNodeError, KazooException):
            pass

    def ensure(self) -> None:
        """Create the node if it is missing; safe to call any time, from any thread."""
        with self._lock:
            if not self._active:
                return
            try:
                try:
                    self._client.create(self.path, self._data, ephemeral=True, makepath=True)
                    log.info("instance registered at %s", self.path)
                except NodeExistsError:
                    pass
                self._check_owner()  # also arms a watch: recreate the node if it is deleted
            except KazooException as exc:
                log.info("instance registration deferred until ZooKeeper is back (%s)", type(exc).__name__)

    def _check_owner(self) -> None:
        stat = self._client.exists(self.path, watch=self._on_node_event)
        if stat is None:
            self._spawn_ensure()
        elif stat.ephemeralOwner != self._session_id():
            log.warning(
                "%s is held by another session (an earlier run?): taking it over when it expires", self.path
            )

    def _session_id(self) -> int | None:
        client_id = self._client.client_id
        return int(client_id[0]) if client_id else None

    def _on_node_event(self, _event: Any) -> None:
        self._spawn_ensure()

    def _on_state(self, state: str) -> None:
        # Called on kazoo's connection thread: no ZooKeeper calls here.
        if state == KazooState.CONNECTED:
            self._spawn_ensure()

    def _spawn_ensure(self) -> None:
        threading.Thread(target=self.ensure, name="presence", daemon=True).start()


def default_instance_name() -> str:
    """``<hostname>-<pid>``: unique per process on a host (a k8s pod name is unique cluster-wide)."""
    host = "".join(c if c.isalnum() or c in "._-" else "-" for c in socket.gethostname()) or "host"
    return f"{host[:100].lstrip('._-') or 'host'}-{os.getpid()}"
