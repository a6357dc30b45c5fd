"""Records on the test broker: read a topic from the start, publish an operation straight to a
tenant's operations topic (the Kafka entry point, no API process needed), and consumer loops of a
test's own group."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from confluent_kafka import Consumer, Message, Producer

from batchops.devstack import Endpoints, wait_for
from batchops.engine.consumer_loop import ConsumerLoop, LoopTiming
from batchops.messaging.codecs import encode_operation_chunk
from batchops.messaging.kafka import KafkaConfig, make_consumer
from batchops.messaging.topics import TenantTopics
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import batch_model_pb2 as bm
from support.recording_handler import RECORD


def own_group_loop(
    kafka: KafkaConfig,
    name: str,
    topic: str,
    handle: Callable[[Sequence[Message]], None],
    *,
    timing: LoopTiming | None = None,
    batch_size: int = 10,
) -> ConsumerLoop:
    """An unstarted loop named ``name`` (its tenant too) in a group of its own (``g-<name>``,
    client ``c-<name>``)."""
    return ConsumerLoop(
        name,
        lambda on_commit: make_consumer(kafka, f"g-{name}", f"c-{name}", on_commit),
        topic,
        handle,
        batch_size=batch_size,
        tenant_id=name,
        timing=timing or LoopTiming(),
    )


def read_all(servers: Endpoints, topic: str, expected: int, group: str) -> list[Any]:
    consumer = Consumer(
        {
            "bootstrap.servers": servers.kafka_bootstrap,
            "group.id": group,
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([topic])
    seen: list[Any] = []

    def more() -> bool:
        for message in consumer.consume(500, 0.5):
            if message.error() is None:
                seen.append(message)
        return len(seen) >= expected

    try:
        wait_for(more, 60, interval=0, message=f"expected {expected} records on {topic}")
    finally:
        consumer.close()
    return seen


def publish_operation(
    servers: Endpoints, topics: TenantTopics, tokens: list[str], chunk: int, **parameters: str
) -> uuid.UUID:
    """Create an operation through the Kafka entry point (no API process needed)."""
    op_id = uuid.uuid4()
    wire = bm.GBatchOperation(
        id=uuid_to_wire(op_id), token=f"op-{op_id.hex[:8]}", operationType=RECORD, parameters=parameters
    )
    chunks = [tokens[i : i + chunk] for i in range(0, len(tokens), chunk)]
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    for index, part in enumerate(chunks):
        producer.produce(
            topics.operations, key=str(op_id), value=encode_operation_chunk(wire, part, index, len(chunks))
        )
    producer.flush(30)
    return op_id
