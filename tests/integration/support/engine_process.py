"""Runs one tenant engine in its own process until killed (for crash tests).

Usage: python -m support.engine_process <json settings>, with tests/integration on PYTHONPATH; prints
READY once its consumers hold partitions.
"""

from __future__ import annotations

import json
import sys
import threading

from batchops.config.tenant import TenantConfiguration
from batchops.engine.tenant_engine import TenantEngine
from batchops.logs import configure_logging
from batchops.messaging.kafka import KafkaConfig
from batchops.store import MongoConnector
from support.engines import engine_environment, recording_registry


def main() -> None:
    args = json.loads(sys.argv[1])
    configure_logging(args.get("log_level", "WARNING"), "text")
    env = engine_environment(
        KafkaConfig(args["kafka"]),
        MongoConnector(args["mongo"], args["prefix"]),
        recording_registry(args["mongo"], args["effects_db"]),
        args["instance_id"],
        args["name"],
    )
    engine = TenantEngine(args["tenant"], TenantConfiguration(**args.get("config", {})), env)
    engine.start()
    if not engine.wait_ready(60):
        print("NOT READY", flush=True)
        sys.exit(1)
    print("READY", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
