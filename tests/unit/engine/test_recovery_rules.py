"""Recovery's decisions against in-memory fakes: expired leases requeued (never our own held
claims), stalled initializations ended, unpublished operations re-published, initialized ones
finished from their elements, lost element records re-sent, and one failure isolated."""

from __future__ import annotations

from datetime import timedelta

from fakes import ElStatus, FakeProducer, FakeWork, IdleBeat, OpStatus

from batchops.engine.publisher import WorkPublisher
from batchops.engine.recovery import Recovery, SweepResult
from batchops.messaging.codecs import decode_element_work, decode_operation_chunk
from batchops.messaging.topics import TenantTopics
from batchops.store import utcnow

STALE = timedelta(seconds=60)
TOPICS = TenantTopics("sitewhere", "instance", "tenant")
IDLE, BUSY = 3600.0, 0.0


class Harness:
    def __init__(self, *, initializer_idle: float = BUSY, processor_idle: float = BUSY) -> None:
        self.work = FakeWork()
        self.producer = FakeProducer()
        self.held: set[str] = set()
        self.recovery = Recovery(
            self.work,
            WorkPublisher(self.producer, TOPICS, self.work),
            stale_after=STALE,
            initializer=IdleBeat(initializer_idle),  # type: ignore[arg-type]
            processor=IdleBeat(processor_idle),  # type: ignore[arg-type]
            held_claims=lambda: self.held,
            initialization_timeout=timedelta(hours=1),
        )

    def republished_elements(self) -> list[str]:
        return [decode_element_work(s.value).device_token for s in self.producer.on(TOPICS.elements)]

    def republished_chunks(self) -> list[tuple[str, int]]:
        chunks = [decode_operation_chunk(s.value) for s in self.producer.on(TOPICS.operations)]
        return [(c.operation.token, c.chunk_index) for c in chunks]


def test_a_sweep_with_nothing_to_do_reports_nothing() -> None:
    h = Harness(initializer_idle=IDLE, processor_idle=IDLE)
    h.work.add_operation(["a"])  # recent: not stale
    result = h.recovery.sweep()
    assert result == SweepResult() and not result and result.summary() == ""
    assert h.producer.sent == {}


def test_expired_leases_are_requeued_except_claims_we_still_hold() -> None:
    h = Harness()
    op = h.work.add_operation(["expired", "ours", "live"])
    elements = h.work.elements(op.id)
    past, future = utcnow() - timedelta(seconds=1), utcnow() + timedelta(minutes=5)
    h.work.set_element(elements["expired"].id, status=ElStatus.PROCESSING, claim="dead", lease_until=past)
    h.work.set_element(elements["ours"].id, status=ElStatus.PROCESSING, claim="held", lease_until=past)
    h.work.set_element(elements["live"].id, status=ElStatus.PROCESSING, claim="other", lease_until=future)
    h.held = {"held"}  # our processor's batch is slow, not dead

    result = h.recovery.sweep()

    assert result.requeued_elements == 1 and result.summary() == "requeued_elements=1"
    assert h.republished_elements() == ["expired"]
    after = h.work.elements(op.id)
    assert [after[t].status for t in ("expired", "ours", "live")] == [
        ElStatus.UNPROCESSED,
        ElStatus.PROCESSING,
        ElStatus.PROCESSING,
    ]
    current = h.work.operations.operation(op.id)
    assert current is not None and (current.counts.unprocessed, current.counts.processing) == (1, 2)


def test_stalled_initializations_end_with_the_chunks_that_arrived() -> None:
    h = Harness()
    stalled = h.work.add_operation(["a", "b", "c", "d"], status=OpStatus.INITIALIZING, chunks=2)
    h.work.state.operations[stalled.id].chunks_done.discard(1)  # the second chunk never came
    h.work.age(stalled.id, timedelta(hours=2))
    done = h.work.add_operation(["e", "f"], status=OpStatus.INITIALIZING, chunks=2)
    h.work.state.operations[done.id].chunks_done.discard(1)
    for element in h.work.elements(done.id).values():
        h.work.set_element(element.id, status=ElStatus.SUCCEEDED)
    h.work.age(done.id, timedelta(hours=2))
    recent = h.work.add_operation(["g"], status=OpStatus.INITIALIZING, chunks=2)
    h.work.state.operations[recent.id].chunks_done.discard(1)

    result = h.recovery.sweep()

    assert result.ended_initializations == 2
    ended = h.work.operations.operation(stalled.id)
    assert ended is not None and ended.status == OpStatus.INITIALIZED_WITH_ERRORS
    assert ended.last_error == (
        "initialization timed out: 1 of 2 target chunk(s) arrived; the elements of those are processed"
    )
    # Its arrived elements were all final already: it finishes at once.
    finished = h.work.operations.operation(done.id)
    assert finished is not None and finished.status == OpStatus.FINISHED_WITH_ERRORS
    still = h.work.operations.operation(recent.id)
    assert still is not None and still.status == OpStatus.INITIALIZING


def test_unpublished_operations_are_republished_once_stale() -> None:
    h = Harness(initializer_idle=BUSY)
    unpublished = h.work.add_operation(["a", "b"], status=OpStatus.UNPROCESSED, chunks=2)
    h.work.age(unpublished.id, timedelta(minutes=5))
    published = h.work.add_operation(["c"], status=OpStatus.UNPROCESSED)
    h.work.state.operations[published.id].published = True
    h.work.age(published.id, timedelta(minutes=5))
    h.work.add_operation(["d"], status=OpStatus.UNPROCESSED)  # recent: its publish may be under way

    result = h.recovery.sweep()

    assert result.republished_operations == 1
    assert h.republished_chunks() == [(unpublished.token, 0), (unpublished.token, 1)]
    assert h.work.state.operations[unpublished.id].published


def test_published_operations_are_republished_only_when_the_initializer_is_idle() -> None:
    """A busy initializer may simply not have reached the records yet; an idle one lost them."""
    h = Harness(initializer_idle=IDLE)
    published = h.work.add_operation(["c"], status=OpStatus.UNPROCESSED)
    h.work.state.operations[published.id].published = True
    h.work.age(published.id, timedelta(minutes=5))

    assert h.recovery.sweep().republished_operations == 1
    assert h.republished_chunks() == [(published.token, 0)]


def test_stale_initializations_resume_with_the_missing_chunks_when_the_initializer_is_idle() -> None:
    busy = Harness(initializer_idle=BUSY)
    idle = Harness(initializer_idle=IDLE)
    for h in (busy, idle):
        op = h.work.add_operation(["a", "b", "c"], status=OpStatus.INITIALIZING, chunks=3)
        h.work.state.operations[op.id].chunks_done -= {1, 2}
        h.work.age(op.id, timedelta(minutes=5))
        h.token = op.token  # type: ignore[attr-defined]

    assert busy.recovery.sweep().resumed_initializations == 0
    assert busy.republished_chunks() == []
    assert idle.recovery.sweep().resumed_initializations == 1
    assert idle.republished_chunks() == [(idle.token, 1), (idle.token, 2)]  # type: ignore[attr-defined]


def test_an_operation_whose_counters_lag_is_finished_from_its_elements() -> None:
    h = Harness()
    op = h.work.add_operation(["a", "b", "c"])
    elements = h.work.elements(op.id)
    for token, status in (("a", ElStatus.SUCCEEDED), ("b", ElStatus.SUCCEEDED), ("c", ElStatus.FAILED)):
        h.work.state.elements[elements[token].id].update(status=status)  # counters not moved: lagging
    h.work.age(op.id, timedelta(minutes=5))
    assert h.work.finishing.finish_if_complete(op.id) is None  # the counters alone cannot tell

    result = h.recovery.sweep()

    assert result.finished == 1
    done = h.work.operations.operation(op.id)
    assert done is not None and done.status == OpStatus.FINISHED_WITH_ERRORS
    assert (done.counts.succeeded, done.counts.failed, done.counts.unprocessed, done.total_elements) == (
        2,
        1,
        0,
        3,
    )


def test_lost_element_records_are_resent_only_when_the_processor_is_idle() -> None:
    busy, idle = Harness(processor_idle=BUSY), Harness(processor_idle=IDLE)
    for h in (busy, idle):
        op = h.work.add_operation(["a", "b", "c"])
        h.work.set_element(h.work.elements(op.id)["b"].id, status=ElStatus.SUCCEEDED)
        h.work.age(op.id, timedelta(minutes=5))

    assert busy.recovery.sweep().requeued_elements == 0
    assert busy.republished_elements() == []
    assert idle.recovery.sweep().requeued_elements == 2
    assert idle.republished_elements() == ["a", "c"]


def test_one_failing_operation_does_not_stop_the_others() -> None:
    h = Harness()
    huge = h.work.add_operation(["h1"], status=OpStatus.UNPROCESSED, parameters={"p": "x" * 5000})
    small = h.work.add_operation(["s1"], status=OpStatus.UNPROCESSED)
    for op in (huge, small):
        h.work.age(op.id, timedelta(minutes=5))
    h.producer.refuse(TOPICS.operations, max_bytes=2000)  # the huge record is too large

    result = h.recovery.sweep()

    assert result.republished_operations == 1
    assert h.republished_chunks() == [(small.token, 0)]
    assert h.recovery.failures == 1
    assert not h.work.state.operations[huge.id].published


def test_a_failing_job_does_not_stop_the_other_jobs() -> None:
    h = Harness(processor_idle=IDLE)
    op = h.work.add_operation(["a"])
    h.work.age(op.id, timedelta(minutes=5))

    def broken(_before: object) -> object:
        raise RuntimeError("database down")

    h.work.recovery.stalled_initializations = broken  # type: ignore[assignment,method-assign]
    result = h.recovery.sweep()

    assert h.recovery.failures == 1
    assert result.requeued_elements == 1  # the later jobs still ran


def test_leftovers_of_deleted_operations_are_removed() -> None:
    h = Harness()
    op = h.work.add_operation(["a", "b"])
    rows = dict(h.work.state.elements)
    h.work.delete(op.id)
    # A chunk insert that raced the delete (and whose writer then crashed) left its elements.
    h.work.state.elements.update(rows)
    h.work.state.tombstones[op.id] = (utcnow() - timedelta(minutes=5), True)

    assert h.recovery.sweep().orphans_removed == 2
    assert h.work.elements(op.id) == {}
    assert h.work.state.tombstones[op.id][1] is False  # settled long ago: not swept again
