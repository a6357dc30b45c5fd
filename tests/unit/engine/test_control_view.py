"""The control view: statuses re-read only when stale, control calls served here seen at once,
and the effect fence of a forced cancel."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Collection

import pytest

from batchops.domain import BatchOperationStatus
from batchops.engine.control_view import ControlView, OperationStopped

_OP = BatchOperationStatus


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Store:
    def __init__(self) -> None:
        self.statuses: dict[uuid.UUID, BatchOperationStatus] = {}
        self.reads = 0

    def read(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, BatchOperationStatus]:
        self.reads += 1
        return {op: self.statuses[op] for op in ids if op in self.statuses}


def test_statuses_are_reread_only_once_stale_and_notes_apply_at_once() -> None:
    store, clock = Store(), Clock()
    view = ControlView(store.read, refresh_seconds=0.25, clock=clock)
    op = uuid.uuid4()
    store.statuses[op] = _OP.INITIALIZED_SUCCESSFULLY
    assert view.runnable({op}) == {op}
    store.statuses[op] = _OP.PAUSED  # paused by another instance
    assert view.runnable({op}) == {op} and store.reads == 1  # not yet re-read
    clock.now += 0.3
    assert view.runnable({op}) == set() and store.reads == 2
    view.note(op, _OP.INITIALIZED_SUCCESSFULLY)  # resumed here
    assert view.runnable({op}) == {op} and store.reads == 2
    assert view.statuses({op}, fresh=True) == {op: _OP.PAUSED} and store.reads == 3


def test_a_deleted_operation_is_not_runnable() -> None:
    view = ControlView(Store().read)
    assert view.runnable({uuid.uuid4()}) == set()


def test_effects_are_refused_after_a_forced_cancel_and_awaited_before() -> None:
    view = ControlView(Store().read)
    op = uuid.uuid4()
    entered, release = threading.Event(), threading.Event()

    def effect() -> None:
        with view.effect(op):
            entered.set()
            release.wait(10)

    worker = threading.Thread(target=effect)
    worker.start()
    assert entered.wait(10)
    view.note(op, _OP.CANCELED)
    assert not view.wait_for_effects(op, timeout=0.05)  # still under way
    with pytest.raises(OperationStopped), view.effect(op):
        pass  # a new effect no longer starts
    release.set()
    assert view.wait_for_effects(op, timeout=10)
    worker.join(10)


def test_effects_go_on_during_a_graceful_cancel() -> None:
    view = ControlView(Store().read)
    op = uuid.uuid4()
    view.note(op, _OP.CANCELING)
    with view.effect(op):
        pass
    assert view.wait_for_effects(op, timeout=0.01)
