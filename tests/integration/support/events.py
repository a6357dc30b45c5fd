"""The operation events topic as a consumer sees it: every record up to the end of the log, and
waiting until a tenant's outbox is empty (every event confirmed by the broker)."""

from __future__ import annotations

from typing import Any

from confluent_kafka import Consumer, TopicPartition

from batchops.devstack import wait_for
from batchops.protocol.events import operation_event_from_wire
from batchops.store.events import pending_filter
from batchops.wire import batch_model_pb2 as bm


def read_events(bootstrap: str, topic: str, key: str | None = None) -> list[bm.GBatchOperationEvent]:
    """Every event on ``topic`` now (each partition read to its end, in log order), only those
    keyed ``key`` if given."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(topic, timeout=15).topics[topic].partitions
        ends = {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=15)[1] for p in partitions
        }
        wanted = {p: end for p, end in ends.items() if end > 0}
        consumer.assign([TopicPartition(topic, p, 0) for p in wanted])
        records: list[Any] = []
        done: set[int] = set()

        def more() -> bool:
            for message in consumer.consume(500, 0.5):
                if message.error() is not None:
                    continue
                records.append(message)
                if message.offset() + 1 >= wanted[message.partition()]:
                    done.add(message.partition())
            return done >= set(wanted)

        wait_for(more, 60, interval=0, message=f"could not read {topic} to its end")
    finally:
        consumer.close()
    return [
        operation_event_from_wire(m.value())
        for m in records
        if key is None or (m.key() or b"").decode() == key
    ]


def wait_outbox_empty(tenant_db: Any, timeout: float = 60) -> None:
    """Until no operation of the tenant holds an unpublished event."""
    operations = tenant_db["batchoperations"]
    wait_for(
        lambda: operations.count_documents(pending_filter()) == 0,
        timeout,
        message="operation events were not all published",
    )
