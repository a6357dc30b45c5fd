"""Raw ceilings of the same servers: what pymongo and confluent-kafka achieve on their own with
the documents and records the pipeline writes (same shapes, same indexes, same producer
settings), so the pipeline's figures can be read as a share of what the servers allow."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from confluent_kafka import Producer
from pymongo import UpdateOne
from pymongo.collection import Collection

from batchops.bench.context import BenchContext
from batchops.bench.stats import rate
from batchops.domain import ElementProcessingStatus, element_id_for
from batchops.messaging.codecs import ElementWork, element_records
from batchops.messaging.kafka import KafkaConfig, ensure_topics, make_consumer
from batchops.store.batch_store import utcnow
from batchops.store.database import ELEMENTS, ensure_indexes
from batchops.store.documents import element_document
from batchops.store.id_batches import id_batches

INSERT_BATCH = 10_000  # the initializer inserts one target chunk (10,000 by default) per call
UPDATE_BATCH = 500  # the processor claims and records one consumer batch (500 by default)
PARTITIONS = 8
_UNPROCESSED = ElementProcessingStatus.UNPROCESSED.value
_PROCESSING = ElementProcessingStatus.PROCESSING.value
_SUCCEEDED = ElementProcessingStatus.SUCCEEDED.value


def _works(count: int) -> list[ElementWork]:
    operation_id = uuid.uuid4()
    tokens = (f"dev-{i:07d}" for i in range(count))
    return [ElementWork(element_id_for(operation_id, token), operation_id, token) for token in tokens]


def _batches(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def measure_inserts(elements: Collection[dict[str, Any]], works: Sequence[ElementWork]) -> float:
    docs = [element_document(w.element_id, w.operation_id, w.device_token, i) for i, w in enumerate(works)]
    started = time.perf_counter()
    for batch in _batches(docs, INSERT_BATCH):
        elements.insert_many(batch, ordered=False)
    return rate(len(docs), time.perf_counter() - started)


def measure_update_many(elements: Collection[dict[str, Any]], ids: Sequence[str]) -> float:
    """Unprocessed -> Processing by ``_id $in`` pieces of a consumer batch, as the processor's claim."""
    started = time.perf_counter()
    changed = 0
    for batch in _batches(ids, UPDATE_BATCH):
        lease = utcnow() + timedelta(seconds=60)
        for part in id_batches(batch):
            changed += elements.update_many(
                {"_id": {"$in": list(part)}, "status": _UNPROCESSED},
                {
                    "$set": {"status": _PROCESSING, "claim": "bench", "leaseUntil": lease},
                    "$inc": {"attempts": 1},
                },
            ).modified_count
    return rate(changed, time.perf_counter() - started)


def measure_bulk_update_one(elements: Collection[dict[str, Any]], ids: Sequence[str]) -> float:
    """Processing -> Succeeded, one ``UpdateOne`` per element in bulk, as the processor's results."""
    started = time.perf_counter()
    changed = 0
    for batch in _batches(ids, UPDATE_BATCH):
        done = utcnow()
        updates = [
            UpdateOne(
                {"_id": element_id, "status": _PROCESSING, "claim": "bench"},
                {
                    "$set": {
                        "status": _SUCCEEDED,
                        "processedDate": done,
                        "durationMs": 0,
                        "error": "",
                        "leaseUntil": None,
                        "attempts": 1,
                    }
                },
            )
            for element_id in batch
        ]
        changed += elements.bulk_write(updates, ordered=False).modified_count
    return rate(changed, time.perf_counter() - started)


def measure_produce(bootstrap: str, topic: str, records: Sequence[tuple[str, bytes]]) -> float:
    """Idempotent, acks=all, as ``ConfirmedProducer``; timed until every record is acknowledged
    (after one warm-up record, which the consumer also sees)."""
    producer = Producer(
        {
            "bootstrap.servers": bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "compression.type": "none",
            "queue.buffering.max.messages": 200_000,
        }
    )
    failures: list[str] = []

    def on_delivery(error: Any, _message: Any) -> None:
        if error is not None:
            failures.append(str(error))

    # Connect and get the idempotent producer id first: the pipeline's producer is long-lived.
    producer.produce(topic, value=records[0][1], key="warm-up", on_delivery=on_delivery)
    producer.flush(30)
    started = time.perf_counter()
    for key, value in records:
        while True:
            try:
                producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
                break
            except BufferError:
                producer.poll(0.05)
    remaining = producer.flush(120)
    elapsed = time.perf_counter() - started
    if remaining or failures:
        raise RuntimeError(f"produce ceiling: {remaining} unconfirmed, {len(failures)} failed")
    return rate(len(records), elapsed)


def measure_consume(bootstrap: str, topic: str, group: str, expected: int, timeout: float) -> float:
    """Through a consumer group (our consumer settings), timed from the first record received, so
    the group join is not counted; batches of 500 as the processor takes them."""
    consumer = make_consumer(KafkaConfig(bootstrap), group, group)
    consumer.subscribe([topic])
    seen = 0
    first: float | None = None
    deadline = time.monotonic() + timeout
    try:
        while seen < expected:
            if time.monotonic() > deadline:
                raise RuntimeError(f"consume ceiling: {seen} of {expected} records within {timeout:g} s")
            for message in consumer.consume(UPDATE_BATCH, 0.5):
                if message.error() is None:
                    first = first if first is not None else time.perf_counter()
                    seen += 1
        assert first is not None
        return rate(seen, time.perf_counter() - first)
    finally:
        consumer.close()


def measure_ceilings(ctx: BenchContext, documents: int, update_sample: int) -> dict[str, Any]:
    database_name, topic = ctx.name("scratch"), ctx.name("scratch-elements")
    works = _works(documents)
    records = list(element_records(works))
    database = ctx.mongo[database_name]
    try:
        ensure_indexes(database)
        elements = database[ELEMENTS]
        ctx.progress(f"[ceilings] insert_many of {documents:,} element documents")
        insert = measure_inserts(elements, works)
        sample = [str(w.element_id) for w in works[: min(update_sample, documents)]]
        ctx.progress(f"[ceilings] update_many / bulk UpdateOne on {len(sample):,} of them")
        update_many = measure_update_many(elements, sample)
        bulk_update_one = measure_bulk_update_one(elements, sample)
        ensure_topics(KafkaConfig(ctx.kafka), [topic], PARTITIONS, 1)
        ctx.progress(f"[ceilings] produce and consume {documents:,} element records")
        produce = measure_produce(ctx.kafka, topic, records)
        consume = measure_consume(
            ctx.kafka, topic, ctx.name("scratch-group"), documents + 1, 120 + documents / 500
        )
    finally:
        ctx.drop_database(database_name)
        ctx.delete_topics(topic)
    return {
        "documents": documents,
        "update_documents": len(sample),
        "mongo_insert_many_docs_per_s": insert,
        "kafka_produce_records_per_s": produce,
        "kafka_consume_records_per_s": consume,
        "mongo_update_many_docs_per_s": update_many,
        "mongo_bulk_update_one_docs_per_s": bulk_update_one,
    }
