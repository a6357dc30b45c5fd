"""The processor under operator control: elements of an operation paused mid-batch are handed
back unstarted (their attempt given back), and a forced cancel's fence discards the outcome of a
handler whose effect it refused."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from fakes import ElStatus, FakeProducer, FakeRecord, FakeWork, OpStatus

from batchops.domain import BatchElement, BatchOperation
from batchops.engine.control_view import ControlView
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work


class Handler:
    operation_type = "Test"

    def __init__(self, script: Callable[[HandlerContext], ElementOutcome]) -> None:
        self._script = script
        self.calls: list[str] = []

    def validate(self, operation: BatchOperation) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        self.calls.append(context.element.device_token)
        return self._script(context)


@pytest.fixture
def made() -> Iterator[list[Processor]]:
    processors: list[Processor] = []
    yield processors
    for processor in processors:
        processor.close()


def _processor(
    work: FakeWork,
    handler: Handler,
    view: ControlView,
    republished: list[BatchElement],
    made: list[Processor],
) -> Processor:
    producer = FakeProducer()

    def republish(elements: Any) -> int:
        republished.extend(elements)
        return len(elements)

    processor = Processor(
        "tenant",
        work,
        ElementOutputs(producer, "failed", DeadLetters(producer, "dead"), republish=republish),
        # One at a time: the pause inside the first call lands before the others start.
        ProcessingPolicy(concurrency=1, lease=timedelta(seconds=30), max_attempts=3),
        HandlerAccess(HandlerRegistry([handler])),
        Heartbeat(work),
        control=view,
    )
    made.append(processor)
    return processor


def _records(work: FakeWork, operation: BatchOperation, tokens: list[str]) -> Any:
    elements = work.elements(operation.id)
    return cast(
        Any,
        [FakeRecord(encode_element_work(ElementWork(elements[t].id, operation.id, t))) for t in tokens],
    )


def test_elements_of_an_operation_paused_mid_batch_are_handed_back_unstarted(made: list[Processor]) -> None:
    work = FakeWork()
    tokens = ["d0", "d1", "d2", "d3"]
    operation = work.add_operation(tokens)
    view = ControlView(work.operations.statuses, refresh_seconds=0.0)

    def pause_during_first(context: HandlerContext) -> ElementOutcome:
        work.state.operations[operation.id].update(status=OpStatus.PAUSED)  # paused elsewhere
        return ElementOutcome.success()

    handler = Handler(pause_during_first)
    republished: list[BatchElement] = []
    _processor(work, handler, view, republished, made).handle_batch(_records(work, operation, tokens))

    assert handler.calls == ["d0"]  # nothing started after the pause
    after = work.elements(operation.id)
    assert after["d0"].status == ElStatus.SUCCEEDED
    for token in tokens[1:]:
        assert (after[token].status, after[token].attempts) == (ElStatus.UNPROCESSED, 0)
    paused = work.operations.operation(operation.id)
    assert paused is not None and (paused.counts.unprocessed, paused.counts.processing) == (3, 0)
    assert republished == []  # still paused: the resume sends them again


def test_handed_back_elements_are_sent_again_when_a_resume_raced_the_hand_back(made: list[Processor]) -> None:
    work = FakeWork()
    tokens = ["d0", "d1"]
    operation = work.add_operation(tokens)
    statuses = iter([OpStatus.INITIALIZED_SUCCESSFULLY, OpStatus.PAUSED, OpStatus.INITIALIZED_SUCCESSFULLY])

    def read(ids: Any) -> dict[uuid.UUID, OpStatus]:
        return {operation.id: next(statuses, OpStatus.INITIALIZED_SUCCESSFULLY)}

    handler = Handler(lambda _context: ElementOutcome.success())
    republished: list[BatchElement] = []
    processor = _processor(work, handler, ControlView(read, refresh_seconds=0.0), republished, made)
    processor.handle_batch(_records(work, operation, tokens))

    assert handler.calls == ["d0"]
    assert [e.device_token for e in republished] == ["d1"]  # resumed before our hand-back landed
    assert work.elements(operation.id)["d1"].status == ElStatus.UNPROCESSED


def test_a_refused_effect_discards_the_outcome(made: list[Processor]) -> None:
    work = FakeWork()
    operation = work.add_operation(["d0"])
    view = ControlView(work.operations.statuses)

    def effectful(context: HandlerContext) -> ElementOutcome:
        view.note(operation.id, OpStatus.CANCELED)  # a forced cancel served here
        with context.effect():
            raise AssertionError("the effect must not start")
        return ElementOutcome.success()

    handler = Handler(effectful)
    _processor(work, handler, view, [], made).handle_batch(_records(work, operation, ["d0"]))

    assert handler.calls == ["d0"]  # tried once, not retried as a failure
    element = work.elements(operation.id)["d0"]
    assert element.status == ElStatus.PROCESSING  # no outcome recorded: the cancel settles it
    assert element.error_message == ""
