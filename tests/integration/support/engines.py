"""The engine tests' environment: fast recovery, 250-token target chunks, the recording handlers;
and one tenant engine run in a process of its own (``support.engine_process``), for crash tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from batchops.config import InstanceSettings, LimitsSettings, RecoverySettings
from batchops.devstack import Endpoints
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment
from batchops.messaging.kafka import KafkaConfig
from batchops.store import MongoConnector
from support.recording_handler import NoopHandler, RecordingHandler

PREFIX = "engtest-"  # the engine tests' tenant database prefix
INTEGRATION_TESTS = Path(__file__).parents[1]  # holds the support package, for the engine process


def recording_registry(mongo_uri: str, effects_db: str, *others: Any) -> HandlerRegistry:
    """The recording handler (effects in ``effects_db``), the no-op handler, and any others."""
    return HandlerRegistry([RecordingHandler(mongo_uri, effects_db), NoopHandler(), *others])


def engine_environment(
    kafka: KafkaConfig,
    connector: MongoConnector,
    registry: HandlerRegistry,
    instance_id: str,
    instance_name: str,
) -> EngineEnvironment:
    return EngineEnvironment(
        kafka=kafka,
        connector=connector,
        registry=registry,
        instance=InstanceSettings(instance_id=instance_id, instance_name=instance_name),
        limits=LimitsSettings(target_chunk_size=250),
        recovery=RecoverySettings(interval_seconds=1.0, stale_seconds=3.0),
    )


class EngineProcess:
    def __init__(
        self, servers: Endpoints, tenant: str, instance_id: str, effects_db: str, name: str, **config: Any
    ):
        args = {
            "kafka": servers.kafka_bootstrap,
            "mongo": servers.mongo_uri,
            "prefix": PREFIX,
            "tenant": tenant,
            "instance_id": instance_id,
            "effects_db": effects_db,
            "name": name,
            "config": config,
        }
        env = {**os.environ, "PYTHONPATH": str(INTEGRATION_TESTS)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "support.engine_process", json.dumps(args)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line == "READY", f"engine process said {line!r}"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
