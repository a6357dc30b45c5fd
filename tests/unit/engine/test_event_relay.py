"""The event relay's loop against an in-memory outbox and the recording producer: order and
keys, removal only after a confirmed send, leases given back on failure, and a thread that goes
on after failures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from fakes import FakeProducer

from batchops.devstack import wait_for
from batchops.domain import BatchOperation, BatchOperationStatus
from batchops.engine.event_relay import EventRelay
from batchops.messaging.kafka import PublishError
from batchops.protocol.events import operation_event_from_wire
from batchops.retry import Backoff
from batchops.store.event_outbox import PendingBatch, PendingEvent
from batchops.store.events import EventKind, StatusEvent

Op = BatchOperationStatus
TOPIC = "p.i.tenant.t.batch-operation-events"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
_STEPS = [
    (EventKind.CREATED, None, Op.UNPROCESSED),
    (EventKind.INITIALIZING, Op.UNPROCESSED, Op.INITIALIZING),
    (EventKind.INITIALIZED, Op.INITIALIZING, Op.INITIALIZED_SUCCESSFULLY),
    (EventKind.FINISHED, Op.INITIALIZED_SUCCESSFULLY, Op.FINISHED_SUCCESSFULLY),
]


@dataclass
class FakeOutbox:
    """Pending events per operation; ``take`` leases an operation until published or given back."""

    pending: dict[uuid.UUID, list[PendingEvent]] = field(default_factory=dict)
    operations: dict[uuid.UUID, BatchOperation] = field(default_factory=dict)
    leased: set[uuid.UUID] = field(default_factory=set)
    sequence: dict[uuid.UUID, int] = field(default_factory=dict)
    given_back: int = 0
    fail_takes: int = 0

    def add(self, operation: BatchOperation, steps: int) -> None:
        """The operation's changes up to ``steps`` of ``_STEPS`` (those not added yet)."""
        self.operations[operation.id] = operation
        events = self.pending.setdefault(operation.id, [])
        done = self.sequence.get(operation.id, 0)
        for seq, (kind, old, new) in enumerate(_STEPS[done:steps], start=done + 1):
            events.append(PendingEvent(uuid.uuid4().hex, seq, StatusEvent(kind, old, new, NOW)))
        self.sequence[operation.id] = max(done, steps)

    def take(self, limit: int) -> list[PendingBatch]:
        if self.fail_takes:
            self.fail_takes -= 1
            raise RuntimeError("store unreachable")
        free = [op for op, events in self.pending.items() if events and op not in self.leased][:limit]
        self.leased.update(free)
        return [PendingBatch(self.operations[op], list(self.pending[op]), [], "c") for op in free]

    def published(self, batch: PendingBatch) -> None:
        done = {p.id for p in batch.events}
        op = batch.operation.id
        self.pending[op] = [p for p in self.pending[op] if p.id not in done]
        self.leased.discard(op)

    def give_back(self, batch: PendingBatch) -> None:
        self.leased.discard(batch.operation.id)
        self.given_back += 1


def _operation(token: str) -> BatchOperation:
    return BatchOperation(id=uuid.uuid4(), token=token, operation_type="T", created_date=NOW)


def _published(producer: FakeProducer) -> list[tuple[str, str, int]]:
    out = []
    for sent in producer.on(TOPIC):
        event = operation_event_from_wire(sent.value)
        out.append((str(sent.key), event.kind, event.sequence))
    return out


def test_events_go_out_in_order_keyed_by_operation_and_are_then_removed() -> None:
    outbox, producer = FakeOutbox(), FakeProducer()
    a, b = _operation("a"), _operation("b")
    outbox.add(a, 4)
    outbox.add(b, 2)
    relay = EventRelay(outbox, producer, TOPIC, "t")
    assert relay.relay_once() == 6
    sent = _published(producer)
    assert [(kind, seq) for key, kind, seq in sent if key == str(a.id)] == [
        ("created", 1),
        ("initializing", 2),
        ("initialized", 3),
        ("finished", 4),
    ]
    assert [(kind, seq) for key, kind, seq in sent if key == str(b.id)] == [
        ("created", 1),
        ("initializing", 2),
    ]
    assert not any(outbox.pending.values()) and not outbox.leased
    assert relay.relay_once() == 0
    # Later changes continue the sequence.
    outbox.add(b, 3)
    assert relay.relay_once() == 1
    assert _published(producer)[-1] == (str(b.id), "initialized", 3)


def test_a_failed_send_removes_nothing_and_gives_the_leases_back() -> None:
    outbox, producer = FakeOutbox(), FakeProducer()
    outbox.add(_operation("a"), 2)
    producer.refuse(TOPIC)
    relay = EventRelay(outbox, producer, TOPIC, "t")
    with pytest.raises(PublishError):
        relay.relay_once()
    assert outbox.given_back == 1 and not outbox.leased
    assert sum(len(events) for events in outbox.pending.values()) == 2
    producer.accept(TOPIC)
    assert relay.relay_once() == 2


def test_the_relay_thread_survives_failures_and_publishes_afterwards() -> None:
    outbox, producer = FakeOutbox(fail_takes=2), FakeProducer()
    operation = _operation("a")
    outbox.add(operation, 4)
    producer.refuse(TOPIC)
    relay = EventRelay(
        outbox, producer, TOPIC, "t", interval=0.05, backoff=Backoff(initial=0.01, maximum=0.05)
    )
    relay.start()
    try:
        wait_for(lambda: outbox.fail_takes == 0 and outbox.given_back >= 2, 30, message="relay never retried")
        producer.accept(TOPIC)
        wait_for(lambda: relay.published_events == 4, 30, message="events never published")
        assert [seq for _key, _kind, seq in _published(producer)] == [1, 2, 3, 4]
    finally:
        relay.stop()


def test_a_poke_publishes_without_waiting_for_the_tick() -> None:
    outbox, producer = FakeOutbox(), FakeProducer()
    relay = EventRelay(outbox, producer, TOPIC, "t", interval=3600)
    relay.start()
    try:
        wait_for(lambda: relay.published_events == 0, 5)
        outbox.add(_operation("a"), 1)
        relay.poke()
        wait_for(lambda: relay.published_events == 1, 30, message="a poke did not wake the relay")
    finally:
        relay.stop()
