"""Measures what one recovery sweep allocates for an operation announcing 1,000,000 chunks, in a
process of its own (for ``test_entry_point_limits``).

``tracemalloc.stop()`` races with threads that enter the interpreter from native code (grpc,
librdkafka callbacks) on Python 3.11 and can crash the process (CPython gh-128679, fixed in
3.12.9/3.13.2 only); a test process full of such threads crashed on it once. So the measuring
process never stops tracing: it prints its figures and ends with ``os._exit``.

Usage: python -m support.recovery_peak <json settings>, with tests/integration on PYTHONPATH;
prints one JSON line: {"operation": <id>, "peak_bytes": <n>}.
"""

from __future__ import annotations

import json
import os
import sys
import tracemalloc
import uuid

from confluent_kafka import Producer

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import wait_for
from batchops.engine.tenant_engine import TenantEngine
from batchops.logs import configure_logging
from batchops.messaging.codecs import encode_operation_chunk
from batchops.messaging.kafka import KafkaConfig
from batchops.protocol.convert import uuid_to_wire
from batchops.store import MongoConnector
from batchops.store.work_store import WorkStore
from batchops.wire import batch_model_pb2 as bm
from support.engines import PREFIX, engine_environment, recording_registry
from support.recording_handler import RECORD

ANNOUNCED_CHUNKS = 1_000_000


def measure(args: dict[str, str]) -> dict[str, object]:
    connector = MongoConnector(args["mongo"], PREFIX)
    env = engine_environment(
        KafkaConfig(args["kafka"]),
        connector,
        recording_registry(args["mongo"], args["effects_db"]),
        args["instance_id"],
        args["name"],
    )
    engine = TenantEngine(args["tenant"], TenantConfiguration(), env)
    engine.start()
    if not engine.wait_ready(60):
        raise RuntimeError("consumers did not join their groups")
    work = WorkStore(connector.tenant_database(args["tenant"]))
    op_id = uuid.uuid4()
    wire = bm.GBatchOperation(id=uuid_to_wire(op_id), token=f"op-{op_id.hex[:8]}", operationType=RECORD)
    producer = Producer({"bootstrap.servers": args["kafka"]})
    chunk = encode_operation_chunk(wire, ["d0", "d1"], 0, ANNOUNCED_CHUNKS)
    producer.produce(engine.topics.operations, key=str(op_id), value=chunk)
    if producer.flush(30):
        raise RuntimeError("the chunk record was not confirmed")

    def chunk_in() -> bool:
        op = work.operations.operation(op_id)
        return op is not None and op.counts.succeeded == 2

    wait_for(chunk_in, 120, interval=0.2, message="the first chunk was never initialized and processed")
    recovery = engine.recovery
    if recovery is None:
        raise RuntimeError("the engine has no recovery")
    tracemalloc.start()
    # Resuming needs the operation and the initializer idle for the stale period (3 s).
    wait_for(
        lambda: recovery.sweep().resumed_initializations,
        60,
        interval=0.5,
        message="recovery never resumed the initialization",
    )
    _current, peak = tracemalloc.get_traced_memory()
    return {"operation": str(op_id), "peak_bytes": peak}


def main() -> None:
    configure_logging("WARNING", "text")
    try:
        print(json.dumps(measure(json.loads(sys.argv[1]))), flush=True)
        code = 0
    except Exception as exc:  # reported on stdout: the test shows it
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}), flush=True)
        code = 1
    os._exit(code)  # never tracemalloc.stop(), never wait for the engine's threads


if __name__ == "__main__":
    main()
