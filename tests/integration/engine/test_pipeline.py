"""The pipeline end to end on the real broker and MongoDB-protocol server."""

from __future__ import annotations

import json
import uuid
from typing import Any

import grpc
import pytest
from confluent_kafka import Producer

from batchops.api import StaticRouter
from batchops.devstack import Endpoints, wait_for
from batchops.messaging.codecs import encode_operation_chunk
from batchops.protocol.convert import uuid_from_wire, uuid_to_wire
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from support.api import create, get, wait_final
from support.kafka import read_all
from support.recording_handler import RECORD


def test_thousand_devices_all_succeed_with_exact_counters(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str, effects: Any, tenant_db: Any
) -> None:
    router.add(unique_name, start_engine())
    tokens = [f"dev-{i:04d}" for i in range(1000)]
    op = create(stub, unique_name, tokens)
    done = wait_final(stub, unique_name, op.id)
    assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    assert (done.elementCount, done.succeededCount, done.failedCount) == (1000, 1000, 0)
    assert (done.unprocessedCount, done.processingCount) == (0, 0)
    assert done.processingStartedDate > 0 and done.processingEndedDate >= done.processingStartedDate
    assert effects["effects"].count_documents({}) == 1000
    assert tenant_db["batchelements"].count_documents({"status": "Succeeded"}) == 1000
    element = tenant_db["batchelements"].find_one({"token": "dev-0007"})
    assert element is not None and element["meta"] == {"effect": "dev-0007"} and element["processedDate"]


def test_failures_finish_with_errors_and_reach_the_failed_topic(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str, servers: Endpoints, effects: Any
) -> None:
    engine = start_engine()
    router.add(unique_name, engine)
    tokens = [f"dev-{i:04d}" + ("-fail" if i % 10 == 0 else "") for i in range(300)] + ["x-flaky"]
    op = create(stub, unique_name, tokens, token="with-failures")
    done = wait_final(stub, unique_name, op.id)
    assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS
    assert (done.elementCount, done.succeededCount, done.failedCount) == (301, 271, 30)
    assert "refused" in done.lastError
    failed = read_all(servers, engine.topics.failed_elements, 30, f"check-{unique_name}")
    payloads = [json.loads(m.value()) for m in failed]
    assert {p["deviceToken"] for p in payloads} == {t for t in tokens if t.endswith("-fail")}
    assert all(
        p["batchOperationToken"] == "with-failures" and p["processingStatus"] == "Failed" for p in payloads
    )
    flaky = stub.ListBatchElements(
        bms.GListBatchElementsRequest(batchOperationId=op.id), metadata=(("tenant", unique_name),)
    )
    by_token = {e.deviceToken: e for e in flaky.results.batchElements}
    assert by_token["dev-0000-fail"].errorMessage == "device dev-0000-fail refused"


def test_replaying_the_element_topic_changes_nothing(
    start_engine: Any,
    router: StaticRouter,
    stub: Any,
    unique_name: str,
    servers: Endpoints,
    effects: Any,
    tenant_db: Any,
) -> None:
    engine = start_engine()
    router.add(unique_name, engine)
    op = create(stub, unique_name, [f"dev-{i}" for i in range(200)])
    wait_final(stub, unique_name, op.id)
    executions = effects["executions"].count_documents({})
    records = read_all(servers, engine.topics.elements, 200, f"replay-{unique_name}")
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    for record in records:
        producer.produce(engine.topics.elements, key=record.key(), value=record.value())
    producer.flush(30)
    # Wait until the consumer has gone past the replayed records, then nothing may have changed.
    wait_for(lambda: engine_processed_all(engine, 400), 60, message="replayed records not consumed")
    assert effects["executions"].count_documents({}) == executions
    after = get(stub, unique_name, op.id)
    assert (after.succeededCount, after.elementCount) == (200, 200)


def engine_processed_all(engine: Any, seen: int) -> bool:
    return bool(engine.consumed_elements >= seen)


def test_zero_duplicates_and_dedup(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str, effects: Any
) -> None:
    router.add(unique_name, start_engine())
    op = create(stub, unique_name, ["a", "b", "a", "c", "b"])
    done = wait_final(stub, unique_name, op.id)
    assert (done.deviceTokenCount, done.elementCount, done.succeededCount) == (3, 3, 3)


def test_unknown_type_is_invalid_argument(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str
) -> None:
    router.add(unique_name, start_engine())
    with pytest.raises(grpc.RpcError) as info:
        create(stub, unique_name, ["a"], op_type="NoSuchType")
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details().startswith("9410:")


def test_unknown_tenant_is_unavailable(stub: Any) -> None:
    with pytest.raises(grpc.RpcError) as info:
        create(stub, "nobody-here", ["a"])
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE


def test_operation_published_straight_to_kafka_is_created_and_finished(
    start_engine: Any, router: StaticRouter, stub: Any, unique_name: str, servers: Endpoints, effects: Any
) -> None:
    engine = start_engine()
    router.add(unique_name, engine)
    op_id = uuid.uuid4()
    wire = bm.GBatchOperation(id=uuid_to_wire(op_id), token="from-kafka", operationType=RECORD)
    producer = Producer({"bootstrap.servers": servers.kafka_bootstrap})
    for index in range(3):
        tokens = [f"k-{index}-{i}" for i in range(40)]
        producer.produce(
            engine.topics.operations, key=str(op_id), value=encode_operation_chunk(wire, tokens, index, 3)
        )
    # An invalid one: unknown operation type.
    bad = bm.GBatchOperation(id=uuid_to_wire(uuid.uuid4()), token="bad-one", operationType="Nope")
    producer.produce(engine.topics.operations, key="bad", value=encode_operation_chunk(bad, ["x"], 0, 1))
    producer.produce(engine.topics.operations, key="garbage", value=b"\xff\x00not protobuf")
    producer.produce(engine.topics.elements, key="garbage", value=b"\x12\x34garbage")
    producer.flush(30)
    done = wait_final(stub, unique_name, uuid_to_wire(op_id))
    assert done.token == "from-kafka"
    assert (done.elementCount, done.succeededCount, done.deviceTokenCount) == (120, 120, 120)
    dead = read_all(servers, engine.topics.dead_letters, 3, f"dlq-{unique_name}")
    reasons = {dict(m.headers())["batchops.reason"].decode() for m in dead}
    assert any("9410:" in r for r in reasons), reasons
    # The consumers kept going: a later operation still finishes.
    later = create(stub, unique_name, ["after-garbage"])
    assert (
        wait_final(stub, unique_name, later.id).processingStatus
        == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    )
    assert uuid_from_wire(done.id, "id") == op_id
