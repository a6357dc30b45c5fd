"""Operation events on the real broker and MongoDB-protocol server: one event per status change,
in order, with consecutive sequence numbers; across a broker outage; with deleted operations;
with two relays on one tenant."""

from __future__ import annotations

import threading
from itertools import pairwise
from typing import Any

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import DevStack, Endpoints, wait_for
from batchops.domain import BatchOperationStatus, OperationCreate, OperationUpdate
from batchops.engine.event_relay import EventRelay, relay_producer
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.tenant_engine import EngineEnvironment, TenantEngine
from batchops.messaging.kafka import KafkaConfig, ensure_topics
from batchops.messaging.topics import TenantTopics
from batchops.protocol.convert import uuid_to_wire
from batchops.store import BatchStore, MongoConnector
from batchops.store.event_outbox import EventOutbox
from batchops.store.work.control import ControlRequest
from batchops.store.work_store import WorkStore
from batchops.wire import batch_model_pb2 as bm
from support.api import create, wait_final
from support.engines import engine_environment
from support.events import read_events, wait_outbox_empty
from support.kafka import publish_operation
from support.recording_handler import RECORD

Op = BatchOperationStatus
_RUN = [
    ("created", None, bm.BATCH_OPERATION_STATUS_UNPROCESSED),
    ("initializing", bm.BATCH_OPERATION_STATUS_UNPROCESSED, bm.BATCH_OPERATION_STATUS_INITIALIZING),
    (
        "initialized",
        bm.BATCH_OPERATION_STATUS_INITIALIZING,
        bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
    ),
    (
        "finished",
        bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
        bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY,
    ),
]


def _changes(events: list[bm.GBatchOperationEvent]) -> list[tuple[str, int | None, int]]:
    return [(e.kind, e.oldStatus if e.HasField("oldStatus") else None, e.newStatus) for e in events]


def test_a_run_yields_each_change_once_in_order(
    start_engine: Any, router: Any, stub: Any, unique_name: str, servers: Endpoints, tenant_db: Any
) -> None:
    engine = start_engine()
    router.add(unique_name, engine)
    op = create(stub, unique_name, [f"dev-{i}" for i in range(40)])
    done = wait_final(stub, unique_name, op.id)
    assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    wait_outbox_empty(tenant_db)

    key = tenant_db["batchoperations"].find_one({"token": op.token})["_id"]
    events = read_events(servers.kafka_bootstrap, engine.topics.batch_operation_events, key)
    assert _changes(events) == _RUN
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert all(e.batchOperationId == op.id and e.batchOperationToken == op.token for e in events)
    finished = events[-1]
    assert (finished.succeededCount, finished.failedCount, finished.elementCount) == (40, 0, 40)
    assert (finished.unprocessedCount, finished.processingCount, finished.canceledCount) == (0, 0, 0)
    assert finished.date >= events[0].date > 0
    assert [e.round for e in events] == [0, 0, 0, 0]


def test_only_the_write_that_changed_the_status_has_an_event(
    work: WorkStore, connector: MongoConnector, unique_name: str
) -> None:
    store = BatchStore(connector.tenant_database(unique_name))
    op = store.create_operation(OperationCreate(operation_type=RECORD, created_by="alice"), ["d1"])
    assert work.initialization.begin_initialization(op.id)
    assert not work.initialization.begin_initialization(op.id)  # lost the compare-and-set
    # UpdateBatchOperation setting the status it already has is no change.
    store.update_operation(op.id, OperationUpdate(status=Op.INITIALIZING, updated_by="bob"))
    store.update_operation(op.id, OperationUpdate(status=Op.INITIALIZED_SUCCESSFULLY, updated_by="bob"))
    doc = work.collections.operations.find_one({"_id": str(op.id)})
    assert doc is not None
    assert [(e["kind"], e["by"]) for e in doc["pendingEvents"]] == [
        ("created", "alice"),
        ("initializing", None),
        ("initialized", "bob"),
    ]
    assert doc["eventSeq"] == 3


def _engine_on(
    bootstrap: str, connector: MongoConnector, registry: HandlerRegistry, name: str
) -> EngineEnvironment:
    return engine_environment(KafkaConfig(bootstrap), connector, registry, f"it{name}", f"test-{name}")


def test_events_made_while_the_broker_is_down_are_published_after_it_in_order(
    own_kafka: DevStack,
    connector: MongoConnector,
    registry: HandlerRegistry,
    unique_name: str,
    tenant_db: Any,
) -> None:
    bootstrap = own_kafka.endpoints.kafka_bootstrap
    engine = TenantEngine(
        unique_name, TenantConfiguration(), _engine_on(bootstrap, connector, registry, unique_name)
    )
    engine.start()
    try:
        assert engine.wait_ready(60)
        own_kafka.down(["kafka"])
        # Every change of an operation's life, made while no broker answers.
        store = engine.store
        op = store.create_operation(OperationCreate(operation_type=RECORD), ["d1"])
        for status in (Op.INITIALIZING, Op.INITIALIZED_SUCCESSFULLY, Op.FINISHED_SUCCESSFULLY):
            store.update_operation(op.id, OperationUpdate(status=status))
        pending = tenant_db["batchoperations"].find_one({"_id": str(op.id)})["pendingEvents"]
        assert len(pending) == 4
        own_kafka.up(only=["kafka"])
        wait_outbox_empty(tenant_db, timeout=180)
    finally:
        engine.stop()
    events = read_events(bootstrap, engine.topics.batch_operation_events, str(op.id))
    assert _changes(events) == _RUN
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert all(e.reason == "UpdateBatchOperation" for e in events[1:])


def _relay(servers: Endpoints, tenant_db: Any, topics: TenantTopics, name: str) -> EventRelay:
    producer = relay_producer(KafkaConfig(servers.kafka_bootstrap), name)
    return EventRelay(
        EventOutbox(tenant_db["batchoperations"]), producer, topics.batch_operation_events, name
    )


def test_deleted_operations_do_not_hold_up_the_others(
    servers: Endpoints, tenant_db: Any, unique_name: str
) -> None:
    topics = TenantTopics("p", f"it{unique_name}", unique_name)
    ensure_topics(KafkaConfig(servers.kafka_bootstrap), [topics.batch_operation_events], 2, 1)
    store, outbox = BatchStore(tenant_db), EventOutbox(tenant_db["batchoperations"])
    relay = _relay(servers, tenant_db, topics, f"relay-{unique_name}")
    gone = store.create_operation(OperationCreate(operation_type=RECORD), ["d1"])
    store.delete_operation(gone.id)  # deleted with its "created" event unpublished
    taken_then_deleted = store.create_operation(OperationCreate(operation_type=RECORD), ["d1"])
    [batch] = outbox.take(10)
    store.delete_operation(taken_then_deleted.id)
    outbox.published(batch)  # the document is gone: nothing to remove, no error

    kept = store.create_operation(OperationCreate(operation_type=RECORD), ["d1"])
    assert relay.relay_once() == 1
    events = read_events(servers.kafka_bootstrap, topics.batch_operation_events)
    assert [(e.batchOperationId, e.kind, e.sequence) for e in events] == [
        (uuid_to_wire(kept.id), "created", 1)
    ]


def test_two_relays_on_one_tenant_publish_each_event_once(
    servers: Endpoints, tenant_db: Any, unique_name: str
) -> None:
    topics = TenantTopics("p", f"it{unique_name}", unique_name)
    ensure_topics(KafkaConfig(servers.kafka_bootstrap), [topics.batch_operation_events], 2, 1)
    store = BatchStore(tenant_db)
    operations = [store.create_operation(OperationCreate(operation_type=RECORD), ["d1"]) for _ in range(30)]
    for op in operations:
        store.update_operation(op.id, OperationUpdate(status=Op.INITIALIZING))
    relays = [_relay(servers, tenant_db, topics, f"relay{i}-{unique_name}") for i in range(2)]
    start = threading.Barrier(2)

    def run(relay: EventRelay) -> None:
        start.wait()
        while relay.relay_once():
            pass

    threads = [threading.Thread(target=run, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    wait_outbox_empty(tenant_db)
    events = read_events(servers.kafka_bootstrap, topics.batch_operation_events)
    assert len(events) == 60
    for op in operations:
        mine = [e for e in events if e.batchOperationId == uuid_to_wire(op.id)]
        assert [(e.kind, e.sequence) for e in mine] == [("created", 1), ("initializing", 2)]


def test_an_operation_from_the_kafka_entry_point_has_its_events_too(
    start_engine: Any, servers: Endpoints, work: WorkStore, tenant_db: Any
) -> None:
    engine = start_engine()
    op_id = publish_operation(servers, engine.topics, [f"dev-{i}" for i in range(30)], chunk=10)
    wait_for(
        lambda: (op := work.operations.operation(op_id)) is not None and op.status.is_final,
        120,
        message="the operation did not finish",
    )
    wait_outbox_empty(tenant_db)
    events = read_events(servers.kafka_bootstrap, engine.topics.batch_operation_events, str(op_id))
    assert _changes(events) == _RUN
    assert [e.sequence for e in events] == [1, 2, 3, 4]
    assert events[-1].succeededCount == 30


def test_operator_control_changes_chain_up_once_each(
    start_engine: Any, servers: Endpoints, work: WorkStore, tenant_db: Any
) -> None:
    engine = start_engine(processing_concurrency=2)
    create = OperationCreate(operation_type=RECORD, parameters={"delayMs": "20"}, created_by="alice")
    op = engine.create_operation(create, [f"dev-{i}" for i in range(200)])
    wait_for(
        lambda: (work.operations.operation(op.id) or op).counts.succeeded > 0, 120, message="no progress"
    )
    engine.controls.pause(op.id, ControlRequest(by="bob", reason="maintenance"))
    engine.controls.resume(op.id, ControlRequest(by="bob"))
    engine.controls.cancel(op.id, False, ControlRequest(by="carol", reason="wrong command"))
    wait_for(
        lambda: (current := work.operations.operation(op.id)) is not None and current.status.is_final,
        120,
        message="the operation did not end",
    )
    wait_outbox_empty(tenant_db)

    events = read_events(servers.kafka_bootstrap, engine.topics.batch_operation_events, str(op.id))
    kinds = [e.kind for e in events]
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert kinds[0] == "created" and kinds[-1] == "canceled"
    for kind in ("created", "initializing", "initialized", "paused", "resumed", "canceled"):
        assert kinds.count(kind) == 1, kinds
    assert kinds.index("paused") < kinds.index("resumed") < kinds.index("canceled")
    # Each event starts where the one before ended: no change is missing or repeated.
    for before, after in pairwise(events):
        assert after.oldStatus == before.newStatus, kinds
    paused = events[kinds.index("paused")]
    assert (paused.username, paused.reason) == ("bob", "maintenance")
    last = events[-1]
    assert last.newStatus == bm.BATCH_OPERATION_STATUS_CANCELED
    assert last.succeededCount + last.failedCount + last.canceledCount == last.elementCount == 200
    assert last.canceledCount > 0
