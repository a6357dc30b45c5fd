"""``batchops ops`` against a real running service: create, list, show, elements, watch, delete.

The Kafka pipeline is not part of this service yet, so tests that watch an operation finish it
themselves from a thread, over the same gRPC API an engine would use.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import grpc
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


def invoke(cli: Cli, token: str, *devices: str, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    device_args = [arg for device in devices for arg in ("--device", device)]
    return json_of(cli("invoke", "--command", "reboot", "--token", token, *device_args, *extra, "--json"))


class Driver:
    """Plays the engine: initializes the operation, finishes each element, then the operation."""

    def __init__(self, stub: Any, tenant: str) -> None:
        self._stub = stub
        self._md = (("tenant", tenant),)
        self.error: BaseException | None = None

    def _get(self, token: str) -> Any:
        request = bms.GGetBatchOperationByTokenRequest(token=token)
        return self._stub.GetBatchOperationByToken(request, metadata=self._md).batchOperation

    def _set_status(self, op_id: Any, status: int) -> None:
        request = bm.GBatchOperationUpdateRequest(processingStatus=status)
        self._stub.UpdateBatchOperation(
            bms.GUpdateBatchOperationRequest(batchOperationId=op_id, request=request), metadata=self._md
        )

    def initialize(self, token: str, devices: list[str]) -> list[Any]:
        op_id = self._get(token).id
        self._set_status(op_id, bm.BATCH_OPERATION_STATUS_INITIALIZING)
        elements = [
            self._stub.CreateBatchElement(
                bms.GCreateBatchElementRequest(
                    batchOperationId=op_id, request=bm.GBatchElementCreateRequest(deviceToken=device)
                ),
                metadata=self._md,
            ).element
            for device in devices
        ]
        self._set_status(op_id, bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY)
        return elements

    def finish_elements(self, elements: list[Any], failing: Collection[str]) -> None:
        for element in elements:
            failed = element.deviceToken in failing
            request = bm.GBatchElementCreateRequest(
                processingStatus=bm.BATCH_ELEMENT_STATUS_FAILED
                if failed
                else bm.BATCH_ELEMENT_STATUS_SUCCEEDED,
                errorMessage="device offline" if failed else None,
            )
            self._stub.UpdateBatchElement(
                bms.GUpdateBatchElementRequest(elementId=element.id, request=request), metadata=self._md
            )

    def complete(self, token: str, devices: list[str], failing: Collection[str] = ()) -> None:
        elements = self.initialize(token, devices)
        self.finish_elements(elements, failing)
        final = (
            bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS
            if failing
            else bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
        )
        self._set_status(self._get(token).id, final)

    def complete_in_background(
        self, token: str, devices: list[str], failing: Collection[str] = ()
    ) -> threading.Thread:
        def run() -> None:
            try:
                self.complete(token, devices, failing)
            except BaseException as exc:
                self.error = exc

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def driver(ops_stub: Any, ops_tenant: str) -> Iterator[Driver]:
    driver = Driver(ops_stub, ops_tenant)
    yield driver
    if driver.error is not None:
        raise driver.error


# ---- create, read, delete -------------------------------------------------------------------


def test_invoke_creates_a_command_invocation(cli: Cli, tmp_path: Path) -> None:
    devices_file = tmp_path / "devices.txt"
    devices_file.write_text("d3\n\n# a comment\nd4  # trailing comment\nd1\n")
    created = invoke(
        cli,
        "op-invoke",
        "d1",
        "d2",
        extra=("--devices-file", str(devices_file), "--param", "delay=5", "--param", "mode=a=b"),
    )
    assert created["token"] == "op-invoke"
    assert created["operationType"] == "BatchCommandInvocation"
    assert created["status"] == "Unprocessed"
    assert created["parameters"] == {"commandToken": "reboot"}
    assert created["metadata"] == {"delay": "5", "mode": "a=b"}
    assert created["deviceTokenCount"] == 4  # d1 given twice: de-duplicated by the server


def test_list_and_show(cli: Cli) -> None:
    first = invoke(cli, "op-list-1", "d1")
    invoke(cli, "op-list-2", "d1", "d2")

    listed = json_of(cli("list", "--json"))
    assert listed["count"] == 2
    assert {op["token"] for op in listed["operations"]} == {"op-list-1", "op-list-2"}
    paged = json_of(cli("list", "--page", "2", "--page-size", "1", "--json"))
    assert paged["count"] == 2 and len(paged["operations"]) == 1

    table = cli("list")
    assert table.exit_code == 0, table.output
    assert "op-list-1" in table.stdout and "BatchCommandInvocation" in table.stdout
    assert "Unprocessed" in table.stdout

    by_token = json_of(cli("show", "op-list-1", "--json"))
    by_id = json_of(cli("show", first["id"], "--json"))
    assert by_token == by_id == first
    shown = cli("show", "op-list-1")
    assert shown.exit_code == 0 and "op-list-1" in shown.stdout and "commandToken=reboot" in shown.stdout


def test_show_resolves_a_uuid_token(cli: Cli) -> None:
    token = "0b0e6a3c-58f5-4bb5-9a40-000000000001"
    invoke(cli, token, "d1")
    assert json_of(cli("show", token, "--json"))["token"] == token


def test_elements_with_status_filter_and_paging(cli: Cli, driver: Driver) -> None:
    devices = ["e1", "e2", "e3", "e4"]
    invoke(cli, "op-elements", *devices)
    driver.finish_elements(driver.initialize("op-elements", devices), failing={"e2", "e4"})

    everything = json_of(cli("elements", "op-elements", "--json"))
    assert everything["count"] == 4
    failed = json_of(cli("elements", "op-elements", "--status", "Failed", "--json"))
    assert failed["count"] == 2
    assert {e["deviceToken"] for e in failed["elements"]} == {"e2", "e4"}
    assert {e["errorMessage"] for e in failed["elements"]} == {"device offline"}
    lower = json_of(cli("elements", "op-elements", "--status", "succeeded", "--json"))
    assert {e["deviceToken"] for e in lower["elements"]} == {"e1", "e3"}
    page = json_of(cli("elements", "op-elements", "--page", "2", "--page-size", "3", "--json"))
    assert page["count"] == 4 and len(page["elements"]) == 1

    table = cli("elements", "op-elements", "--status", "Failed")
    assert table.exit_code == 0
    assert "e2" in table.stdout and "device offline" in table.stdout and "e1" not in table.stdout


def test_delete(cli: Cli) -> None:
    invoke(cli, "op-delete", "d1")
    declined = cli("delete", "op-delete", input="n\n")
    assert declined.exit_code == 1
    assert json_of(cli("show", "op-delete", "--json"))["token"] == "op-delete"

    deleted = json_of(cli("delete", "op-delete", "--yes", "--json"))
    assert deleted["token"] == "op-delete"
    gone = cli("show", "op-delete")
    assert gone.exit_code == 3
    assert "NOT_FOUND" in gone.stderr


# ---- watch ----------------------------------------------------------------------------------


def test_watch_to_success(cli: Cli, driver: Driver) -> None:
    devices = [f"w{i}" for i in range(20)]
    invoke(cli, "op-watch-ok", *devices)
    thread = driver.complete_in_background("op-watch-ok", devices)
    result = cli("watch", "op-watch-ok", "--interval", "0.05")
    thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert "FinishedSuccessfully" in result.stdout
    assert "20 succeeded, 0 failed" in result.stdout


def test_watch_to_errors_exits_1_and_json(cli: Cli, driver: Driver) -> None:
    devices = ["x1", "x2", "x3"]
    invoke(cli, "op-watch-errors", *devices)
    thread = driver.complete_in_background("op-watch-errors", devices, failing={"x2"})
    result = cli("watch", "op-watch-errors", "--interval", "0.05", "--json")
    thread.join(timeout=60)
    assert result.exit_code == 1, result.output
    final = json.loads(result.stdout)
    assert final["status"] == "FinishedWithErrors"
    assert final["counts"] == {"unprocessed": 0, "processing": 0, "succeeded": 2, "failed": 1, "canceled": 0}


def test_invoke_and_watch(cli: Cli, driver: Driver, ops_stub: Any, ops_tenant: str) -> None:
    # The operation does not exist until invoke creates it: the driver polls for it.
    cli_done = threading.Event()

    def drive_when_created() -> None:
        request = bms.GGetBatchOperationByTokenRequest(token="op-invoke-watch")
        md = (("tenant", ops_tenant),)
        while not cli_done.is_set():
            try:
                ops_stub.GetBatchOperationByToken(request, metadata=md)
            except grpc.RpcError:
                cli_done.wait(0.02)
                continue
            driver.complete("op-invoke-watch", ["iw1", "iw2"])
            return

    thread = threading.Thread(target=drive_when_created, daemon=True)
    thread.start()
    result = cli(
        "invoke",
        "--command",
        "reboot",
        "--device",
        "iw1",
        "--device",
        "iw2",
        "--token",
        "op-invoke-watch",
        "--watch",
        "--interval",
        "0.05",
    )
    cli_done.set()
    thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert "FinishedSuccessfully" in result.stdout


def test_watch_an_already_finished_operation(cli: Cli, driver: Driver) -> None:
    invoke(cli, "op-done", "d1")
    driver.complete("op-done", ["d1"])
    assert cli("watch", "op-done").exit_code == 0


# ---- errors ---------------------------------------------------------------------------------


def test_not_found_exits_3_without_traceback(cli: Cli) -> None:
    for args in (("show", "nope"), ("watch", "nope"), ("elements", "nope"), ("delete", "nope", "--yes")):
        result = cli(*args)
        assert result.exit_code == 3, (args, result.output)
        assert "NOT_FOUND" in result.stderr and "4420" in result.stderr
        assert "Traceback" not in result.output
    by_id = cli("show", "00000000-0000-4000-8000-000000000000")
    assert by_id.exit_code == 3


def test_usage_errors_exit_2(cli: Cli) -> None:
    assert cli("invoke", "--command", "reboot").exit_code == 2  # no devices
    bad_param = cli("invoke", "--command", "reboot", "--device", "d", "--param", "novalue")
    assert bad_param.exit_code == 2 and "name=value" in bad_param.stderr
    missing_file = cli("invoke", "--command", "reboot", "--devices-file", "/nonexistent/devices")
    assert missing_file.exit_code == 2
    assert cli("elements", "x", "--status", "Sideways").exit_code == 2


def test_server_rejection_exits_1(cli: Cli) -> None:
    invoke(cli, "op-dup", "d1")
    duplicate = cli("invoke", "--command", "reboot", "--device", "d1", "--token", "op-dup")
    assert duplicate.exit_code == 1
    assert "ALREADY_EXISTS" in duplicate.stderr


def test_unreachable_server_exits_2() -> None:
    runner = CliRunner()
    result = runner.invoke(ops_app, ["list", "--address", "127.0.0.1:1", "--timeout", "2"])
    assert result.exit_code == 2
    assert "UNAVAILABLE" in result.stderr
    assert "Traceback" not in result.output


def test_address_and_tenant_from_environment(ops_address: str, ops_tenant: str) -> None:
    runner = CliRunner(env={"BATCHOPS_ADDRESS": ops_address, "BATCHOPS_TENANT": ops_tenant})
    result = runner.invoke(ops_app, ["list", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["count"] == 0
