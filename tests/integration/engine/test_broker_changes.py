"""The broker changes under a running operation (Apache Kafka, a broker of the test's own):

- the broker process is stopped and started again on the same log directories mid-operation;
- partitions are added to the tenant's elements topic while the operation fans out.

Either way the operation finishes with every element exactly once in the store and no handler
effect repeated beyond what the README's guarantees allow.
"""

from __future__ import annotations

from typing import Any

import pytest
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewPartitions

from batchops.devstack import DevStack, wait_for
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment
from batchops.messaging.kafka import KafkaConfig
from batchops.store import MongoConnector
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from support.api import wait_final
from support.engines import engine_environment
from support.recording_handler import RECORD

# Producers and consumers notice added partitions at their next metadata refresh (5 min by default).
FAST_METADATA = {"topic.metadata.refresh.interval.ms": "1000"}


@pytest.fixture
def engine_env(
    own_kafka: DevStack, connector: MongoConnector, registry: HandlerRegistry, unique_name: str
) -> EngineEnvironment:
    return engine_environment(
        KafkaConfig(own_kafka.endpoints.kafka_bootstrap, overrides=FAST_METADATA),
        connector,
        registry,
        f"it{unique_name}",
        f"test-{unique_name}",
    )


def _create(stub: Any, tenant: str, count: int, delay_ms: int) -> Any:
    request = bm.GBatchOperationCreateRequest(
        operationType=RECORD,
        deviceTokens=[f"d-{i}" for i in range(count)],
        parameters={"delayMs": str(delay_ms)},
    )
    return stub.CreateBatchOperation(
        bms.GCreateBatchOperationRequest(request=request), metadata=(("tenant", tenant),), timeout=60
    ).batchOperation


def _assert_exactly_once(tenant_db: Any, effects: Any, count: int, bound: int) -> int:
    """Every element once in the store and succeeded; returns the repeated handler runs."""
    elements = tenant_db["batchelements"]
    assert elements.count_documents({}) == count
    assert len(elements.distinct("token")) == count
    assert effects["effects"].count_documents({}) == count
    repeats = effects["executions"].count_documents({}) - count
    assert 0 <= repeats <= bound, f"{repeats} handler runs repeated (bound {bound})"
    return repeats


def test_broker_restart_mid_operation(
    own_kafka: DevStack,
    start_engine: Any,
    router: Any,
    stub: Any,
    unique_name: str,
    effects: Any,
    tenant_db: Any,
) -> None:
    batch = 20
    router.add(unique_name, start_engine(processing_concurrency=4, consumer_batch_size=batch))
    count = 1000
    op = _create(stub, unique_name, count, delay_ms=5)
    wait_for(
        lambda: effects["executions"].count_documents({}) >= 100, 120, message="processing never started"
    )

    own_kafka.down(["kafka"])
    executed_while_down = effects["executions"].count_documents({})
    own_kafka.up(only=["kafka"])  # same log directories: topics, records and offsets are kept

    final = wait_final(stub, unique_name, op.id, timeout=300)
    assert final.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    assert (final.succeededCount, final.failedCount, final.elementCount) == (count, 0, count)
    # The README's bound: a redelivered element that is already final is skipped; at most the
    # batch in flight when the broker went away runs again.
    repeats = _assert_exactly_once(tenant_db, effects, count, bound=batch)
    print(f"broker restart: {executed_while_down} runs before the stop, {repeats} repeated")


def test_partitions_added_while_an_operation_fans_out(
    own_kafka: DevStack,
    start_engine: Any,
    router: Any,
    stub: Any,
    unique_name: str,
    effects: Any,
    tenant_db: Any,
) -> None:
    engine = start_engine(topic_partitions=4, rate_limit_per_second=100, consumer_batch_size=50)
    router.add(unique_name, engine)
    count = 1200  # at 100 elements/s the fan-out takes at least 12 s
    op = _create(stub, unique_name, count, delay_ms=0)
    wait_for(lambda: tenant_db["batchelements"].count_documents({}) >= 250, 120, message="no fan-out")

    bootstrap = own_kafka.endpoints.kafka_bootstrap
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topic = engine.topics.elements
    admin.create_partitions([NewPartitions(topic, 8)])[topic].result(30)

    final = wait_final(stub, unique_name, op.id, timeout=300)
    assert final.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    _assert_exactly_once(tenant_db, effects, count, bound=0)
    # The new partitions were really used (and their records processed: the operation finished).
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": f"{unique_name}-probe"})
    try:
        added = [probe.get_watermark_offsets(TopicPartition(topic, p), timeout=15)[1] for p in range(4, 8)]
    finally:
        probe.close()
    assert sum(added) > 0, "no element record reached the added partitions"
    assert engine.lag is not None
    wait_for(lambda: engine.lag.read().get("elements") == 0, 60, message="elements lag did not drain")
