"""What every scenario of one benchmark run shares."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka.admin import AdminClient
from pymongo import MongoClient

from batchops.bench.cpu import CpuMeter
from batchops.bench.server_pids import server_pids
from batchops.bench.servers import BenchServers

Progress = Callable[[str], None]


@dataclass
class BenchContext:
    servers: BenchServers
    run_id: str
    work_dir: Path  # logs and hold files of this run
    progress: Progress
    mongo: MongoClient[dict[str, Any]] = field(init=False)
    server_pids: dict[str, int | None] = field(init=False)  # None: not a process of this host

    def __post_init__(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.mongo = MongoClient(
            self.servers.endpoints.mongo_uri, tz_aware=True, uuidRepresentation="standard"
        )
        self.server_pids = server_pids(self.servers.endpoints)

    def cpu_meter(self, window: str, **pids: int | None) -> CpuMeter:
        """A meter of the servers' CPU and of the given processes' (``service=pid`` etc.)."""
        return CpuMeter({**self.server_pids, **pids}, window)

    @property
    def kafka(self) -> str:
        return self.servers.endpoints.kafka_bootstrap

    def name(self, part: str) -> str:
        """A database/topic/instance name unique to this run: ``bench-<run id>-<part>``."""
        return f"bench-{self.run_id}-{part}"

    def drop_database(self, name: str) -> None:
        with contextlib.suppress(Exception):
            self.mongo.drop_database(name)

    def delete_topics(self, prefix: str) -> None:
        """Delete every topic whose name starts with ``prefix`` (best effort)."""
        with contextlib.suppress(Exception):
            admin = AdminClient({"bootstrap.servers": self.kafka})
            names = [name for name in admin.list_topics(timeout=15).topics if name.startswith(prefix)]
            if names:
                for future in admin.delete_topics(names, operation_timeout=30).values():
                    with contextlib.suppress(Exception):
                        future.result()

    def close(self) -> None:
        self.mongo.close()
