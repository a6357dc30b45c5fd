"""Outcomes become durable as handlers complete, not when the whole consumer batch is done: a
crash then repeats only the handler calls still in flight, never the completed ones."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from confluent_kafka import Consumer, Message
from pymongo.database import Database

from batchops.devstack import Endpoints, wait_for
from batchops.domain import OperationCreate
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work
from batchops.messaging.kafka import ConfirmedProducer, KafkaConfig, ensure_topics
from batchops.store import BatchStore
from batchops.store.work_store import WorkStore

STRIDE = 1_000_000
DEADLINE = 60.0


class GateHandler:
    """Succeeds at once, except for devices whose token ends in ``-blocked``: those wait for
    ``release``."""

    operation_type = "Gate"

    def __init__(self) -> None:
        self.release = threading.Event()

    def validate(self, operation: object) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        if context.element.device_token.endswith("-blocked") and not self.release.wait(DEADLINE * 3):
            raise TimeoutError("never released")
        return ElementOutcome.success()


def consume(servers: Endpoints, topic: str, expected: int, group: str) -> list[Message]:
    consumer = Consumer(
        {
            "bootstrap.servers": servers.kafka_bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 500,
        }
    )
    consumer.subscribe([topic])
    records: list[Message] = []

    def all_there() -> bool:
        records.extend(m for m in consumer.consume(expected, 0.5) if m.error() is None)
        return len(records) >= expected

    try:
        wait_for(all_there, DEADLINE, interval=0, message=f"{expected} records on {topic}")
    finally:
        consumer.close()
    return records


def test_a_completed_outcome_is_stored_while_the_batch_still_runs(
    servers: Endpoints, tenant_db: Database[dict[str, Any]], unique_name: str
) -> None:
    batch, work = BatchStore(tenant_db), WorkStore(tenant_db)
    tokens = ["fast-1", "fast-2", "slow-blocked"]
    op = batch.create_operation(OperationCreate(operation_type="Gate"), tokens)
    work.initialization.begin_initialization(op.id)
    for index, chunk in work.initialization.target_chunks(op.id):
        work.initialization.mark_chunk_initialized(
            op.id, index, work.initialization.insert_chunk_elements(op.id, index, STRIDE, chunk)
        )
    assert work.initialization.complete_initialization(op.id) is not None

    kafka = KafkaConfig(servers.kafka_bootstrap)
    topic, failed, dead = (f"{unique_name}-{name}" for name in ("elements", "failed", "dead"))
    ensure_topics(kafka, [topic, failed, dead], 1, 1)
    producer = ConfirmedProducer(kafka, f"test-{unique_name}")
    elements = {e.device_token: e for e in work.recovery.unprocessed_elements(op.id)}
    producer.send_all(
        topic,
        ((t, encode_element_work(ElementWork(elements[t].id, op.id, t))) for t in tokens),
    )
    records = consume(servers, topic, len(tokens), f"g-{unique_name}")  # one consumer batch

    gate = GateHandler()
    processor = Processor(
        unique_name,
        work,
        ElementOutputs(producer, failed, DeadLetters(producer, dead), republish=lambda _: 0),
        ProcessingPolicy(concurrency=4, lease=timedelta(seconds=60), max_attempts=1, handler_options={}),
        HandlerAccess(HandlerRegistry([gate])),
        Heartbeat(work),
    )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            processor.handle_batch(records)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    try:

        def status(token: str) -> str:
            doc = tenant_db["batchelements"].find_one({"_id": str(elements[token].id)}, {"status": 1})
            assert doc is not None
            return str(doc["status"])

        # The fast elements are Succeeded in MongoDB while the batch's third handler still runs.
        wait_for(
            lambda: status("fast-1") == status("fast-2") == "Succeeded",
            DEADLINE,
            interval=0.05,
            message="fast outcomes stored while the batch still runs",
        )
        assert status("slow-blocked") == "Processing" and worker.is_alive()
        # The counters never run ahead (the last write's may still be owed to the next one).
        stored = work.operations.operation(op.id)
        assert stored is not None and stored.counts.succeeded <= 2 and stored.counts.processing <= 1
    finally:
        gate.release.set()
        worker.join(DEADLINE)
        processor.close()
    assert not worker.is_alive() and not errors
    finished = work.operations.operation(op.id)
    assert finished is not None and finished.status.value == "FinishedSuccessfully"
    assert (finished.counts.succeeded, finished.counts.processing, finished.counts.unprocessed) == (3, 0, 0)
