"""A stop's drain: a call that returned before the deadline is stored, the others' elements are
handed back; a call left running by an earlier, aborted round vouches for nothing in the next."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from queue import SimpleQueue
from types import SimpleNamespace
from typing import Any, cast

from batchops.engine.draining import Draining
from batchops.engine.handler_pool import Completions, HandlerPool
from batchops.store.work.outcomes import ElementResult


def _held(gate: threading.Event) -> Any:
    def process(operation: Any, element: Any, prepared: object) -> ElementResult:
        gate.wait(30)
        return ElementResult(element_id=element.id, operation_id=uuid.UUID(int=1), succeeded=True)

    return process


def _claims(handed_back: list[Any]) -> Any:
    return SimpleNamespace(
        hand_back=lambda cs, ran=False: handed_back.extend(cs) or len(cs), renew=lambda cs, lease: None
    )


def _outcomes(stored: list[Any]) -> Any:
    return SimpleNamespace(
        add=stored.append,
        store_pending=lambda *_, **__: None,
        settled=set(),
        take_unreported=list,
    )


def test_an_aborted_rounds_call_does_not_vouch_for_the_same_element_in_the_next_round() -> None:
    # Regression: "returned before the deadline" was kept by element id across rounds, so a stale
    # call of an aborted round made the next round's late call count as returned in time: its
    # element was then neither stored nor handed back.
    handed_back: list[Any] = []
    draining = Draining(_claims(handed_back), timedelta(seconds=30))
    pool = HandlerPool(2, f"test-drain-{uuid.uuid4().hex[:8]}")
    element = SimpleNamespace(id=uuid.uuid4())
    claim = SimpleNamespace(element=element, claim="second")
    first_gate, second_gate = threading.Event(), threading.Event()

    first: Completions = SimpleQueue()
    returned = draining.new_batch(first)
    pool.start(first, draining.call, returned, _held(first_gate), None, element, None)  # then aborted
    second: Completions = SimpleQueue()
    returned = draining.new_batch(second)
    late_call = pool.start(second, draining.call, returned, _held(second_gate), None, element, None)
    first_gate.set()
    first.get(timeout=30)  # the stale call returned, during the second round
    draining.stop_by(time.monotonic() - 1)  # the deadline has passed; the second call still runs

    stored: list[Any] = []
    drained = draining.drain(
        [], {late_call: cast(Any, claim)}, second, _outcomes(stored), lambda c, _: c.result()
    )
    second_gate.set()

    assert stored == []
    assert claim in drained and claim in handed_back
    pool.shutdown()


def test_a_call_that_returned_before_the_deadline_is_stored_once_back() -> None:
    handed_back: list[Any] = []
    draining = Draining(_claims(handed_back), timedelta(seconds=30))
    pool = HandlerPool(1, f"test-drain-{uuid.uuid4().hex[:8]}")
    element = SimpleNamespace(id=uuid.uuid4())
    claim = SimpleNamespace(element=element, claim="c")
    completions: Completions = SimpleQueue()
    returned = draining.new_batch(completions)
    gate = threading.Event()
    gate.set()
    call = pool.start(completions, draining.call, returned, _held(gate), None, element, None)
    while element.id not in returned:  # poll for the condition: the call has returned
        time.sleep(0.001)
    draining.stop_by(time.monotonic() - 1)

    stored: list[Any] = []
    drained = draining.drain(
        [], {call: cast(Any, claim)}, completions, _outcomes(stored), lambda c, _: c.result()
    )

    assert [r.element_id for r in stored] == [element.id] and drained == [] and handed_back == []
    pool.shutdown()


def test_a_call_that_would_start_after_the_deadline_does_not_run() -> None:
    draining = Draining(_claims([]), timedelta(seconds=30))
    draining.new_batch(SimpleQueue())
    draining.stop_by(time.monotonic() - 1)
    draining.close()
    ran: list[Any] = []
    assert draining.call(set(), lambda *args: ran.append(args), None, None, None) is None  # type: ignore[arg-type]
    assert ran == []
