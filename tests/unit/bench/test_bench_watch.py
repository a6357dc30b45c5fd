"""The bench's operation watch gives up on a stalled operation, never on a slow one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from batchops.bench import watch as watch_module
from batchops.bench.watch import OperationWatch, Snapshot, now


def snapshots(counts: Iterator[int], final_at: int | None) -> Any:
    def snapshot(_operation_id: uuid.UUID) -> Snapshot:
        done = next(counts)
        status = "FinishedSuccessfully" if final_at is not None and done >= final_at else "Processing"
        return Snapshot(status, 100, {"succeeded": done}, None, None, None, now())

    return snapshot


@pytest.fixture(autouse=True)
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each clock read is one second later and sleeping takes no time: the verdicts below do
    not depend on how fast the machine is."""
    ticks = iter(range(10**9))
    monkeypatch.setattr(watch_module.time, "monotonic", lambda: float(next(ticks)))
    monkeypatch.setattr(watch_module.time, "sleep", lambda _seconds: None)


def test_a_slow_operation_that_keeps_progressing_is_waited_for() -> None:
    watch = OperationWatch.__new__(OperationWatch)
    # One more element per poll, 60 polls: far longer in total than the 5 s limit, never stalled.
    watch.snapshot = snapshots(iter(range(1_000)), final_at=60)  # type: ignore[method-assign]
    done = watch.wait_for(uuid.uuid4(), {"FinishedSuccessfully"}, timeout=5.0)
    assert done.count("succeeded") == 60


def test_a_stalled_operation_times_out() -> None:
    watch = OperationWatch.__new__(OperationWatch)
    watch.snapshot = snapshots(iter([5] * 1_000), final_at=None)  # type: ignore[method-assign]
    with pytest.raises(TimeoutError, match="no progress for 5 s"):
        watch.wait_for(uuid.uuid4(), {"FinishedSuccessfully"}, timeout=5.0)
