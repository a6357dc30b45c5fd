"""Poison records larger than Kafka's 1 MB default: dead-lettered (whole, or a bounded copy when
even the dead-letter topic cannot take them), committed, and the consumers move on."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import psutil
import pytest
from confluent_kafka import Message, Producer
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

from batchops.api import StaticRouter
from batchops.config.tenant import TenantConfiguration
from batchops.devstack import Endpoints, wait_for
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import ConfirmedProducer, KafkaConfig, ensure_topics, make_consumer
from batchops.messaging.limits import DEAD_LETTER_COPY_BYTES, MAX_MESSAGE_BYTES
from batchops.wire import batch_model_pb2 as bm
from support.api import create, wait_final
from support.kafka import read_all

POISON_BYTES = 1_500_000
RSS_GROWTH_LIMIT = 20 * 1024 * 1024


def _rss() -> int:
    return int(psutil.Process(os.getpid()).memory_info().rss)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"message.max.bytes": "1000000"}],
    ids=["whole-copy", "dead-letter-topic-too-small"],
)
def test_large_poison_records_are_dead_lettered_and_processing_continues(
    engine_env: EngineEnvironment,
    engines: list[TenantEngine],
    router: StaticRouter,
    stub: Any,
    unique_name: str,
    servers: Endpoints,
    effects: Any,
    tenant_db: Any,
    overrides: dict[str, str],
) -> None:
    # With the producer capped at Kafka's default, no 1.5 MB copy fits: the bounded copy must.
    env = dataclasses.replace(engine_env, kafka=KafkaConfig(servers.kafka_bootstrap, overrides))
    engine = TenantEngine(unique_name, TenantConfiguration(), env)
    engine.start()
    engines.append(engine)
    assert engine.wait_ready(60)
    router.add(unique_name, engine)
    warm_up = create(stub, unique_name, [f"warm-{i}" for i in range(20)])
    wait_final(stub, unique_name, warm_up.id)
    before = _rss()

    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap, "message.max.bytes": 2_000_000})
    for topic in (engine.topics.operations, engine.topics.elements):
        producer.produce(topic, key=b"poison", value=os.urandom(POISON_BYTES))
    assert producer.flush(60) == 0

    dead = read_all(servers, engine.topics.dead_letters, 2, f"dlq-{unique_name}")
    sources = {dict(m.headers())["batchops.source.topic"].decode() for m in dead}
    assert sources == {engine.topics.operations, engine.topics.elements}
    for message in dead:
        headers = dict(message.headers())
        assert headers["batchops.reason"] and headers["batchops.source.offset"]
        if overrides:
            assert len(message.value()) == DEAD_LETTER_COPY_BYTES
            assert headers["batchops.source.value.bytes"] == str(POISON_BYTES).encode()
        else:
            assert len(message.value()) == POISON_BYTES
    # Both consumers moved past them: a following operation is initialized and processed.
    later = create(stub, unique_name, [f"after-{i}" for i in range(20)])
    done = wait_final(stub, unique_name, later.id)
    assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    assert engine.dead_letters is not None and engine.dead_letters.count == 2
    growth = _rss() - before
    print(f"RSS growth across two 1.5 MB poison records: {growth / 1e6:.1f} MB")
    assert growth < RSS_GROWTH_LIMIT, f"RSS grew by {growth / 1e6:.1f} MB"


def test_dead_letters_keep_a_bounded_copy_when_the_record_is_too_large(
    servers: Endpoints, unique_name: str
) -> None:
    config = KafkaConfig(servers.kafka_bootstrap, {"message.max.bytes": "1000000"})
    topic = f"dlq-{unique_name}"
    ensure_topics(config, [topic], 1, 1)
    producer = ConfirmedProducer(config, f"test-{unique_name}")
    dead_letters = DeadLetters(producer, topic)
    record = Message(topic="source", partition=3, offset=42, key=b"k" * 5000, value=b"x" * POISON_BYTES)
    dead_letters.send(record, "not a GUnprocessedBatchOperation")
    producer.close()
    (copy,) = read_all(servers, topic, 1, f"check-{unique_name}")
    headers = {k: v.decode() for k, v in copy.headers()}
    assert len(copy.value()) == DEAD_LETTER_COPY_BYTES and len(copy.key()) == 1024
    assert headers["batchops.source.topic"] == "source"
    assert (headers["batchops.source.partition"], headers["batchops.source.offset"]) == ("3", "42")
    assert headers["batchops.source.value.bytes"] == str(POISON_BYTES)
    assert headers["batchops.reason"] == "not a GUnprocessedBatchOperation"


def test_topics_producer_and_consumers_carry_the_largest_allowed_record(
    servers: Endpoints, unique_name: str
) -> None:
    """What the contract allows (1,000,000 tokens in one operations record, ~12 MB) must pass
    through our producer, the topics we create and our consumers."""
    config = KafkaConfig(servers.kafka_bootstrap)
    topic = f"big-{unique_name}"
    ensure_topics(config, [topic], 1, 1)
    admin = AdminClient(config.base())
    described = admin.describe_configs([ConfigResource("topic", topic)])
    (future,) = described.values()
    assert future.result(timeout=30)["max.message.bytes"].value == str(MAX_MESSAGE_BYTES)
    wire = bm.GUnprocessedBatchOperation(
        batchOperation=bm.GBatchOperation(token="big"), deviceTokens=[f"d{i:09d}" for i in range(1_000_000)]
    ).SerializeToString()
    assert len(wire) > 12_000_000
    producer = ConfirmedProducer(config, f"test-{unique_name}")
    producer.send_one(topic, key=b"big", value=wire)
    producer.close()
    consumer = make_consumer(config, f"g-{unique_name}", f"c-{unique_name}")
    consumer.subscribe([topic])
    try:
        received: list[Message] = []

        def fetched() -> bool:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                received.append(message)
            return bool(received)

        wait_for(fetched, 60, interval=0, message="the large record was not fetched")
    finally:
        consumer.close()
    assert received[0].value() == wire


def test_existing_topics_get_the_record_limit_raised(servers: Endpoints, unique_name: str) -> None:
    """Topics from an older version (Kafka's 1 MB default) are raised to the limit at start."""
    topic = f"old-{unique_name}"
    admin = AdminClient({"bootstrap.servers": servers.kafka_bootstrap})
    (created,) = admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values()
    created.result(timeout=30)
    ensure_topics(KafkaConfig(servers.kafka_bootstrap), [topic], 1, 1)
    (future,) = admin.describe_configs([ConfigResource("topic", topic)]).values()
    assert future.result(timeout=30)["max.message.bytes"].value == str(MAX_MESSAGE_BYTES)
