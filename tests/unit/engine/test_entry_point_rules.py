"""The operations consumer and the Kafka entry point against in-memory fakes: malformed and
invalid records are dead-lettered with their reason while the rest of the batch goes on; a new
operation is created, initialized and fanned out; a chunk counts once; deleted ones stay dead."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from fakes import ElStatus, FakeCatalog, FakeProducer, FakeRecord, FakeWork, OpStatus

from batchops.domain import BatchOperation, ErrorCode
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.external import ExternalOperations
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.initializer import Initializer, InitializerOutputs
from batchops.engine.pacing import Pacer
from batchops.engine.publisher import WorkPublisher
from batchops.messaging.codecs import decode_element_work, encode_operation_chunk
from batchops.messaging.topics import TenantTopics
from batchops.protocol.convert import uuid_to_wire
from batchops.store import utcnow
from batchops.wire import batch_model_pb2 as bm

TOPICS = TenantTopics("sitewhere", "instance", "tenant")


class NoopHandler:
    operation_type = "Test"

    def validate(self, operation: BatchOperation) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        return ElementOutcome.success()


class Harness:
    def __init__(self, max_chunk_count: int = 100) -> None:
        self.work = FakeWork()
        self.producer = FakeProducer()
        self.initializer = Initializer(
            self.work,
            InitializerOutputs(
                WorkPublisher(self.producer, TOPICS, self.work),
                DeadLetters(self.producer, TOPICS.dead_letters),
            ),
            ExternalOperations(FakeCatalog(self.work), self.work, HandlerRegistry([NoopHandler()])),
            Pacer(),
            Heartbeat(self.work),
            "tenant",
            max_chunk_count=max_chunk_count,
        )

    def run(self, records: Sequence[FakeRecord]) -> None:
        self.initializer.handle_batch(cast(Any, records))

    def dead(self) -> list[tuple[int, str]]:
        """(source offset, reason) of every dead-lettered record."""
        return [
            (int((s.headers or {})["batchops.source.offset"]), (s.headers or {})["batchops.reason"])
            for s in self.producer.on(TOPICS.dead_letters)
        ]

    def fanned_out(self) -> list[str]:
        return [decode_element_work(s.value).device_token for s in self.producer.on(TOPICS.elements)]


def chunk(tokens: list[str], *, index: int = 0, count: int = 1, offset: int = 0, **wire: Any) -> FakeRecord:
    fields = {"token": "ext-1", "operationType": "Test", **wire}
    return FakeRecord(
        encode_operation_chunk(bm.GBatchOperation(**fields), tokens, index, count), offset=offset
    )


def test_malformed_records_are_dead_lettered_and_the_batch_goes_on() -> None:
    h = Harness()
    h.run(
        [FakeRecord(None, offset=0), FakeRecord(b"\x00\xffgarbage", offset=1), chunk(["d1", "d2"], offset=2)]
    )

    dead = h.dead()
    assert [offset for offset, _ in dead] == [0, 1]
    assert dead[0][1] == "empty record value"
    assert sorted(h.fanned_out()) == ["d1", "d2"]  # the good record after them was handled


def test_invalid_new_operations_are_dead_lettered_with_the_reason() -> None:
    h = Harness(max_chunk_count=10)
    h.run(
        [
            chunk([], offset=0),
            chunk(["d1"], offset=1, token="ext-2", operationType="Unknown"),
            chunk(["d1"], offset=2, token="ext-3", count=11),
            chunk(["d1"], offset=3, token=""),
            chunk(["d1"], offset=4, token="ext-4", parameters={"k" * 300: "v"}),
        ]
    )

    reasons = dict(h.dead())
    assert reasons[0] == f"{int(ErrorCode.INVALID_ARGUMENT)}:At least one device token is required."
    assert "No handler for operation type 'Unknown'" in reasons[1]
    assert reasons[2] == "chunkCount 11 exceeds 10 (the most device tokens an operation may have)"
    assert "neither an id nor a token" in reasons[3]
    assert 4 in reasons  # a parameter key over the size limit
    assert h.work.state.operations == {}  # nothing of a refused record is written
    assert h.fanned_out() == []


def test_a_new_operation_is_created_initialized_and_fanned_out_once() -> None:
    h = Harness()
    record = chunk(["d1", "d2", "d2", "bad token "])
    h.run([record])
    h.run([record])  # redelivered: counted and fanned out once

    (row,) = h.work.state.operations.values()
    op = row.operation
    assert (op.token, op.status) == ("ext-1", OpStatus.INITIALIZED_WITH_ERRORS)
    assert (op.total_elements, op.counts.unprocessed) == (2, 2)
    assert "1 invalid device token(s)" in op.last_error
    assert sorted(h.fanned_out()) == ["d1", "d2"]
    assert {e.status for e in h.work.elements(op.id).values()} == {ElStatus.UNPROCESSED}
    assert h.dead() == []


def test_an_operation_completes_its_initialization_only_with_every_chunk() -> None:
    h = Harness()
    op_id = uuid.uuid4()
    first = chunk(["a", "b"], index=0, count=2, id=uuid_to_wire(op_id))
    second = chunk(["b", "c"], index=1, count=2, id=uuid_to_wire(op_id))

    h.run([first])
    current = h.work.operations.operation(op_id)
    assert current is not None and current.status == OpStatus.INITIALIZING
    h.run([second])

    done = h.work.operations.operation(op_id)
    assert done is not None and done.status == OpStatus.INITIALIZED_SUCCESSFULLY
    assert done.total_elements == 3  # "b" repeated across chunks is one element


def test_records_of_a_deleted_operation_are_skipped() -> None:
    h = Harness()
    op_id = uuid.uuid4()
    h.work.state.tombstones[op_id] = (utcnow(), False)

    h.run([chunk(["d1"], id=uuid_to_wire(op_id))])

    assert h.work.state.operations == {}
    assert h.fanned_out() == [] and h.dead() == []


def test_a_paused_operations_chunk_is_kept_for_the_resume_not_dropped() -> None:
    """Regression: a chunk record of a paused operation from the Kafka entry point was skipped
    without keeping its tokens, so the resume could not send it again and the operation stayed
    Initializing for ever (its record exists nowhere else)."""
    h = Harness()
    h.run([chunk(["d1", "d2"], index=0, count=2, offset=0)])
    (row,) = h.work.state.operations.values()
    row.update(status=OpStatus.PAUSED)
    h.run([chunk(["d3", "bad token "], index=1, count=2, offset=1)])

    assert sorted(h.fanned_out()) == ["d1", "d2"]  # nothing of the second chunk while paused
    assert h.work.state.targets[(row.operation.id, 1)] == ["d3", "bad token "]  # kept as it came
    assert row.chunks_done == {0}
