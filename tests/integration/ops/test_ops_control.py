"""``batchops ops cancel | pause | resume | retry`` against a real (store-only) service: each
prints the operation as the call left it; refusals exit 1 with the server's reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from batchops.ops import ops_app
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm

Cli = Callable[..., Result]


@pytest.fixture
def cli(ops_address: str, ops_tenant: str) -> Cli:
    runner = CliRunner(env={"COLUMNS": "250", "BATCHOPS_JWT": None})

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(ops_app, [*args, "--address", ops_address, "--tenant", ops_tenant], input=input)

    return run


def json_of(result: Result) -> Any:
    assert result.exit_code == 0, (result.exit_code, result.output)
    return json.loads(result.stdout)


def initialized(cli: Cli, stub: Any, tenant: str, token: str, devices: list[str]) -> None:
    """An operation with its elements, Initialized (what an engine's initializer would leave)."""
    args = [arg for device in devices for arg in ("--device", device)]
    json_of(cli("invoke", "--command", "reboot", "--token", token, *args, "--json"))
    md = (("tenant", tenant),)
    op_id = stub.GetBatchOperationByToken(
        bms.GGetBatchOperationByTokenRequest(token=token), metadata=md
    ).batchOperation.id
    for status in (
        bm.BATCH_OPERATION_STATUS_INITIALIZING,
        bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
    ):
        request = bms.GUpdateBatchOperationRequest(
            batchOperationId=op_id, request=bm.GBatchOperationUpdateRequest(processingStatus=status)
        )
        if status == bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY:
            for device in devices:
                stub.CreateBatchElement(
                    bms.GCreateBatchElementRequest(
                        batchOperationId=op_id, request=bm.GBatchElementCreateRequest(deviceToken=device)
                    ),
                    metadata=md,
                )
        stub.UpdateBatchOperation(request, metadata=md)


def test_pause_resume_cancel_retry(cli: Cli, ops_stub: Any, ops_tenant: str) -> None:
    initialized(cli, ops_stub, ops_tenant, "op-ctl", ["c1", "c2", "c3"])

    paused = json_of(cli("pause", "op-ctl", "--reason", "maintenance", "--json"))
    assert paused["status"] == "Paused"
    shown = cli("show", "op-ctl")
    assert shown.exit_code == 0 and "Paused" in shown.stdout, shown.output
    again = cli("pause", "op-ctl")
    assert again.exit_code == 1
    assert "FAILED_PRECONDITION" in again.stderr and "already paused" in again.stderr

    resumed = json_of(cli("resume", "op-ctl", "--json"))
    assert resumed["status"] == "InitializedSuccessfully"
    not_paused = cli("resume", "op-ctl")
    assert not_paused.exit_code == 1 and "not Paused" in not_paused.stderr

    declined = cli("cancel", "op-ctl", input="n\n")
    assert declined.exit_code == 1
    assert json_of(cli("show", "op-ctl", "--json"))["status"] == "InitializedSuccessfully"
    canceled = json_of(cli("cancel", "op-ctl", "--yes", "--reason", "wrong command", "--json"))
    assert canceled["status"] == "Canceled"
    final = cli("cancel", "op-ctl", "--yes")
    assert final.exit_code == 1 and "final operation" in final.stderr

    retried = json_of(cli("retry", "op-ctl", "--status", "Canceled", "--json"))
    assert retried["elementsRetried"] == 3
    assert retried["status"] == "InitializedSuccessfully"
    nothing = cli("retry", "op-ctl")
    assert nothing.exit_code == 1 and "retry it once it ended" in nothing.stderr


def test_unknown_operation_exits_3(cli: Cli) -> None:
    for command in ("pause", "resume", "retry"):
        result = cli(command, "no-such-op")
        assert result.exit_code == 3, (command, result.output)
    assert cli("cancel", "no-such-op", "--yes").exit_code == 3
