"""An element record naming another operation than its element's (forged or corrupted) is
dead-lettered; the element is not claimed and the batch does not fail."""

from __future__ import annotations

import dataclasses
from typing import Any

from confluent_kafka import Producer

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints
from batchops.domain import OperationCreate, element_id_for
from batchops.engine.initializer import SEQ_STRIDE
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.codecs import ElementWork, encode_element_work
from batchops.store.work_store import WorkStore
from support.kafka import read_all
from support.recording_handler import RECORD


def test_an_element_record_naming_another_operation_is_dead_lettered(
    servers: Endpoints, engine_env: EngineEnvironment, unique_name: str, effects: Any, work: WorkStore
) -> None:
    # Recovery kept out of the way: both operations stay as stored.
    env = dataclasses.replace(
        engine_env, recovery=engine_env.recovery.model_copy(update={"stale_seconds": 600.0})
    )
    engine = TenantEngine(unique_name, TenantConfiguration(), env)
    engine.start()
    try:
        assert engine.wait_ready(60)
        victim_op = engine.store.create_operation(OperationCreate(operation_type=RECORD), ["victim"])
        work.initialization.insert_chunk_elements(victim_op.id, 0, SEQ_STRIDE, ["victim"])
        named_op = engine.store.create_operation(OperationCreate(operation_type=RECORD), ["other"])
        forged = ElementWork(element_id_for(victim_op.id, "victim"), named_op.id, "victim")
        producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
        producer.produce(engine.topics.elements, key="victim", value=encode_element_work(forged))
        assert producer.flush(30) == 0
        (dead,) = read_all(servers, engine.topics.dead_letters, 1, f"dlq-{unique_name}")
        reason = dict(dead.headers())["batchops.reason"].decode()
        assert reason == f"element {forged.element_id} does not belong to operation {named_op.id}"
        processor = next(loop for loop in engine._loops if loop.name == "processor")
        assert processor.failures == 0
        element = work.collections.elements.find_one({"_id": str(forged.element_id)})
        assert element is not None and element["status"] == "Unprocessed"
        assert effects["executions"].count_documents({}) == 0
    finally:
        engine.stop()
