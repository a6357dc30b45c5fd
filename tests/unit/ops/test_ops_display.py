"""What ``batchops ops show``, ``watch`` and ``list`` make of the operator-control statuses:
Paused with its phase, Canceling, Canceled (final), the canceled count, the round, the last
control action and what processing waits for; and the status filter ``list`` sends."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from batchops.domain import BatchOperationStatus
from batchops.ops import commands, ops_app
from batchops.ops.client import operation_criteria
from batchops.ops.views import operation_dict, operation_panel, operations_table
from batchops.ops.watch import is_final, status_line, watch_operation
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import batch_model_pb2 as bm

CONTROL_DATE = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def _operation(status: int, **fields: Any) -> bm.GBatchOperation:
    return bm.GBatchOperation(
        id=uuid_to_wire(uuid.UUID(int=7)),
        token="op-7",
        operationType="BatchCommandInvocation",
        processingStatus=status,  # type: ignore[arg-type]
        elementCount=10,
        deviceTokenCount=10,
        **fields,
    )


def _paused(**fields: Any) -> bm.GBatchOperation:
    return _operation(
        bm.BATCH_OPERATION_STATUS_PAUSED,
        pausedPhase=bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
        succeededCount=4,
        unprocessedCount=6,
        lastControl=bm.GBatchOperationControl(
            action="pause",
            username="alice",
            date=int(CONTROL_DATE.timestamp() * 1000),
            reason="wrong firmware",
        ),
        waitingOn="device-management unavailable (circuit open)",
        **fields,
    )


def _canceled() -> bm.GBatchOperation:
    return _operation(
        bm.BATCH_OPERATION_STATUS_CANCELED,
        succeededCount=3,
        failedCount=1,
        canceledCount=6,
        round=2,
        lastControl=bm.GBatchOperationControl(action="cancel", username="bob", date=1),
    )


def _render(renderable: Any) -> str:
    console = Console(width=250, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_the_json_view_has_the_new_fields() -> None:
    view = operation_dict(_paused())
    assert view["status"] == "Paused"
    assert view["pausedPhase"] == "InitializedSuccessfully"
    assert view["lastControl"] == {
        "action": "pause",
        "username": "alice",
        "date": "2026-03-04T05:06:07+00:00",
        "reason": "wrong firmware",
    }
    assert view["waitingOn"] == "device-management unavailable (circuit open)"
    assert view["round"] == 0
    canceled = operation_dict(_canceled())
    assert canceled["counts"]["canceled"] == 6 and canceled["round"] == 2
    assert canceled["pausedPhase"] is None and canceled["waitingOn"] is None
    assert canceled["lastControl"]["reason"] is None
    # An operation nobody controlled (or from a SiteWhere server) has none of them.
    plain = operation_dict(_operation(bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY))
    assert (plain["lastControl"], plain["pausedPhase"], plain["counts"]["canceled"]) == (None, None, 0)


def test_show_displays_a_paused_operation_its_phase_control_and_wait() -> None:
    text = _render(operation_panel(_paused()))
    assert "Paused (in InitializedSuccessfully)" in text
    assert "pause by alice at 2026-03-04T05:06:07+00:00: wrong firmware" in text
    assert "waiting on" in text and "device-management unavailable (circuit open)" in text
    assert "round" not in text  # the first run has no round to speak of


def test_show_displays_a_canceled_operation_with_its_counts_and_round() -> None:
    text = _render(operation_panel(_canceled()))
    assert "Canceled" in text
    assert "✓ 3 ✗ 1 ⊘ 6" in text
    assert "round" in text and "2" in text
    assert "cancel by bob" in text


def test_list_shows_the_new_statuses() -> None:
    results = bm.GBatchOperationSearchResults(count=3, batchOperations=[_paused(), _canceled()])
    results.batchOperations.add().CopyFrom(_operation(bm.BATCH_OPERATION_STATUS_CANCELING))
    text = _render(operations_table(results, 1))
    assert "Paused (in InitializedSuccessfully)" in text and "Canceled" in text and "Canceling" in text


class _Client:
    """Answers ``get`` with the states given, one per poll."""

    def __init__(self, *states: bm.GBatchOperation) -> None:
        self._states = list(states)
        self.polls = 0

    def get(self, _operation_id: Any) -> bm.GBatchOperation:
        self.polls += 1
        return self._states.pop(0)


def test_canceled_is_final_and_paused_is_not() -> None:
    assert is_final(_canceled())
    assert not is_final(_paused())
    assert not is_final(_operation(bm.BATCH_OPERATION_STATUS_CANCELING))


@pytest.mark.parametrize("console", [None, "rich"])
def test_watch_follows_a_paused_operation_and_stops_once_canceled(console: str | None) -> None:
    client = _Client(_paused(), _operation(bm.BATCH_OPERATION_STATUS_CANCELING), _canceled())
    display = Console(width=250, record=True, color_system=None) if console else None
    final = watch_operation(client, _paused(), interval=0, console=display, sleep=lambda _s: None)  # type: ignore[arg-type]
    assert client.polls == 3
    assert final.processingStatus == bm.BATCH_OPERATION_STATUS_CANCELED
    if display is not None:
        text = display.export_text()
        assert "10/10" in text  # succeeded + failed + canceled make the bar complete


def test_watch_shows_paused_and_what_it_waits_on() -> None:
    text = _render(status_line(_paused()))
    assert "Paused (in InitializedSuccessfully) waiting on device-management unavailable" in text
    assert _render(status_line(_canceled())).strip() == "Canceled"


def test_list_sends_the_status_filter() -> None:
    criteria = operation_criteria(2, 50, [BatchOperationStatus.PAUSED, BatchOperationStatus.CANCELED])
    assert list(criteria.statuses) == [bm.BATCH_OPERATION_STATUS_PAUSED, bm.BATCH_OPERATION_STATUS_CANCELED]
    assert (criteria.paging.pageNumber, criteria.paging.pageSize) == (2, 50)
    assert list(operation_criteria(1, 10).statuses) == []


class _FakeOps:
    def __init__(self, operation: bm.GBatchOperation, *later: bm.GBatchOperation) -> None:
        self.operation = operation
        self.later = list(later)
        self.listed: list[Any] = []

    def resolve(self, _reference: str) -> bm.GBatchOperation:
        return self.operation

    def get(self, _operation_id: Any) -> bm.GBatchOperation:
        return self.later.pop(0)

    def list_operations(self, page: int, size: int, statuses: Any = ()) -> bm.GBatchOperationSearchResults:
        self.listed.append(list(statuses))
        return bm.GBatchOperationSearchResults(count=1, batchOperations=[self.operation])


@pytest.fixture
def fake_ops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[_FakeOps]]:
    used: list[_FakeOps] = []

    @contextmanager
    def connect(*_args: Any) -> Iterator[_FakeOps]:
        yield used[0]

    monkeypatch.setattr(commands, "_connect", connect)
    yield used


def test_ops_list_status_option(fake_ops: list[_FakeOps]) -> None:
    fake_ops.append(_FakeOps(_paused()))
    result = CliRunner().invoke(ops_app, ["list", "--status", "paused", "--status", "Canceled", "--json"])
    assert result.exit_code == 0, result.output
    assert fake_ops[0].listed == [[BatchOperationStatus.PAUSED, BatchOperationStatus.CANCELED]]
    assert json.loads(result.stdout)["operations"][0]["pausedPhase"] == "InitializedSuccessfully"


def test_ops_watch_exits_1_on_canceled_and_says_how_many(fake_ops: list[_FakeOps]) -> None:
    fake_ops.append(_FakeOps(_paused(), _paused(), _canceled()))
    result = CliRunner(env={"COLUMNS": "250"}).invoke(ops_app, ["watch", "op-7", "--interval", "0.05"])
    assert result.exit_code == 1, result.output
    assert "op-7: Canceled — 3 succeeded, 1 failed, 6 canceled" in result.output


def test_ops_show_json_of_a_canceled_operation(fake_ops: list[_FakeOps]) -> None:
    fake_ops.append(_FakeOps(_canceled()))
    result = CliRunner().invoke(ops_app, ["show", "op-7", "--json"])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert (view["status"], view["counts"]["canceled"], view["lastControl"]["action"]) == (
        "Canceled",
        6,
        "cancel",
    )
