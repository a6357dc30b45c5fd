"""The service under test, as a separate process (``python -m batchops.bench.serve``) with one
static tenant, its own instance id (so its own topics) and its own database; everything it
created is removed when the run ends."""

from __future__ import annotations

import contextlib
import sys
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from pymongo.database import Database

from batchops.bench.client import BenchClient
from batchops.bench.context import BenchContext
from batchops.bench.noop import PARAM_HOLD_FILE
from batchops.bench.processes import Child, clean_env
from batchops.bench.watch import OperationWatch, now
from batchops.devstack.ports import free_ports

TENANT = "bench"
PRODUCT_ID = "sitewhere"
READY_TIMEOUT = 180.0


class ServiceRun:
    def __init__(self, ctx: BenchContext, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        self._ctx = ctx
        self.name = name
        self.instance_id = ctx.name(name)
        self.database_prefix = f"{self.instance_id}-"
        self.hold_file = ctx.work_dir / f"hold-{name}-{uuid.uuid4().hex[:8]}"
        self._env = clean_env(
            {
                "BATCHOPS_KAFKA_BOOTSTRAP_SERVERS": ctx.kafka,
                "BATCHOPS_MONGODB_URI": ctx.servers.endpoints.mongo_uri,
                "BATCHOPS_MONGODB_TENANT_PREFIX": self.database_prefix,
                "BATCHOPS_ZOOKEEPER_HOSTS": ctx.servers.endpoints.zk_hosts,
                "BATCHOPS_STATIC_TENANTS": f'["{TENANT}"]',
                "BATCHOPS_AUTH_ENABLED": "false",
                "BATCHOPS_INSTANCE_ID": self.instance_id,
                "BATCHOPS_GRPC_HOST": "127.0.0.1",
                "BATCHOPS_GRPC_PORT": "0",
                "BATCHOPS_METRICS_PORT": str(free_ports(1)[0]),
                "BATCHOPS_LOG_FORMAT": "text",
                "BATCHOPS_LOG_LEVEL": "WARNING",
                **(extra_env or {}),
            }
        )
        self._child: Child | None = None
        self._client: BenchClient | None = None

    @property
    def log_file(self) -> Path:
        return self._ctx.work_dir / f"service-{self.name}.log"

    @property
    def pid(self) -> int:
        assert self._child is not None
        return self._child.pid

    @property
    def client(self) -> BenchClient:
        assert self._client is not None
        return self._client

    @property
    def database(self) -> Database[dict[str, Any]]:
        return self._ctx.mongo[self.database_prefix + TENANT]

    @property
    def watch(self) -> OperationWatch:
        return OperationWatch(self.database)

    def __enter__(self) -> ServiceRun:
        self._ctx.progress(f"[{self.name}] starting the service process")
        try:
            self._child = Child(
                f"service-{self.name}",
                [sys.executable, "-m", "batchops.bench.serve"],
                self._env,
                self.log_file,
            )
            line = self._child.wait_for_line("READY", READY_TIMEOUT)
            self._client = BenchClient(int(line.split()[1]), TENANT)
        except BaseException:
            self._cleanup()
            raise
        self._ctx.progress(f"[{self.name}] service ready (pid {self._child.pid})")
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cleanup()

    def hold(self) -> dict[str, str]:
        """Operation parameters that make the Noop handler wait until ``release``."""
        self.hold_file.touch()
        return {PARAM_HOLD_FILE: str(self.hold_file)}

    def release(self) -> datetime:
        self.hold_file.unlink(missing_ok=True)
        return now()

    def _cleanup(self) -> None:
        self.release()  # a held handler would keep the service from stopping
        if self._client is not None:
            self._client.close()
        if self._child is not None:
            code = self._child.stop()
            self._ctx.progress(f"[{self.name}] service stopped (exit {code})")
        with contextlib.suppress(Exception):
            self._ctx.drop_database(self.database_prefix + TENANT)
        self._ctx.delete_topics(f"{PRODUCT_ID}.{self.instance_id}.")
