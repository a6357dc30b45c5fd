"""``batchops ops invoke`` with criteria (device type, group and roles, assignment criteria), against
the whole service (a static tenant engine on the real servers) driving a fleet simulator."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import Result
from pymongo import MongoClient
from typer.testing import CliRunner

from batchops.config import Settings
from batchops.devstack import Endpoints
from batchops.ops import ops_app
from batchops.service import BatchOpsService
from batchops.simulator import Fleet, FleetSimulator

Cli = Callable[..., Result]
TENANT = "o" + secrets.token_hex(5)


@pytest.fixture(scope="module")
def fleet() -> Fleet:
    return Fleet.generate(5, 300)


@pytest.fixture(scope="module")
def service(servers: Endpoints, fleet: Fleet) -> Iterator[BatchOpsService]:
    with FleetSimulator(fleet) as simulator:
        settings = Settings(
            mongodb_uri=servers.mongo_uri,
            kafka_bootstrap_servers=servers.kafka_bootstrap,
            mongodb_tenant_prefix="test-ops-criteria-",
            instance_id=f"ops{TENANT}",
            static_tenants=[TENANT],
            auth_enabled=False,
            device_management_address=simulator.address,
            event_management_address=simulator.address,
            grpc_host="127.0.0.1",
            grpc_port=0,
            log_format="text",
        )
        service = BatchOpsService(settings)
        service.start()
        try:
            assert service.static_engines[TENANT].wait_ready(60)
            yield service
        finally:
            service.stop()
            client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
            client.drop_database(settings.mongodb.tenant_prefix + TENANT)
            client.close()


@pytest.fixture
def cli(service: BatchOpsService) -> Cli:
    runner = CliRunner(env={"COLUMNS": "250", "BATCHOPS_JWT": None})

    def run(*args: str) -> Result:
        return runner.invoke(
            ops_app, ["invoke", *args, "--address", f"127.0.0.1:{service.port}", "--tenant", TENANT]
        )

    return run


def json_of(result: Result, exit_code: int = 0) -> Any:
    assert result.exit_code == exit_code, (result.exit_code, result.output)
    return json.loads(result.stdout)


def expected_counts(fleet: Fleet, devices: set[str], command: str) -> tuple[int, int]:
    ok = sum(
        1
        for token in devices
        if fleet.device_by_token[token].active_assignments
        and (fleet.device_by_token[token].device_type_id, command) in fleet.command_by_type_and_token
    )
    return ok, len(devices) - ok


def test_device_type_watched_to_the_end(cli: Cli, fleet: Fleet) -> None:
    devices = set(fleet.devices_of_type("thermostat"))
    succeeded, failed = expected_counts(fleet, devices, "ping")
    assert failed, "the fleet should hold thermostats without an active assignment"
    result = cli("--command", "ping", "--device-type", "thermostat", "--watch", "--interval", "0.1", "--json")
    final = json_of(result, exit_code=1)  # FinishedWithErrors: the unassigned thermostats
    assert final["status"] == "FinishedWithErrors"
    assert final["targetingSummary"] == "deviceType=thermostat"
    assert final["counts"]["succeeded"] == succeeded and final["counts"]["failed"] == failed


def test_watch_draws_progress_and_a_summary(cli: Cli, fleet: Fleet) -> None:
    devices = fleet.devices_in_group("grp-02", ["primary"])
    succeeded, failed = expected_counts(fleet, devices, "reboot")
    args = "--command reboot --group grp-02 --role primary --param delaySeconds=1 --watch --interval 0.1"
    result = cli(*args.split())
    assert result.exit_code == (1 if failed else 0), result.output
    assert f"({len(devices)} devices: group=grp-02 roles=primary)" in result.output
    assert f"{succeeded} succeeded, {failed} failed" in result.output


def test_group_with_roles(cli: Cli, fleet: Fleet) -> None:
    expected = fleet.devices_in_group("grp-nested", ["primary", "backup"])
    created = json_of(
        cli("--command", "reboot", "--group", "grp-nested", "--role", "primary", "--role", "backup", "--json")
    )
    assert created["targetingSummary"] == "group=grp-nested roles=primary,backup"
    assert created["deviceTokenCount"] == len(expected)
    assert created["parameters"] == {"commandToken": "reboot"}


def test_assignment_criteria_use_the_assignment_rpc(cli: Cli, fleet: Fleet) -> None:
    expected = fleet.devices_for_assignment_criteria(
        device_type_tokens=["thermostat", "gateway"], customer_tokens=["cust-01", "cust-02"]
    )
    args = "--customer cust-01 --customer cust-02 --device-type thermostat --device-type gateway"
    created = json_of(cli("--command", "ping", *args.split(), "--token", "by-assignments", "--json"))
    assert created["token"] == "by-assignments"
    assert created["targetingSummary"] == (
        "assignments deviceTypes=[thermostat,gateway] customers=[cust-01,cust-02]"
    )
    assert created["deviceTokenCount"] == len(expected)
    for option, token in (("--area", "area-01"), ("--asset", "asset-01")):
        created = json_of(cli("--command", "ping", option, token, "--json"))
        assert created["targetingSummary"].startswith("assignments ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "primary"], "--role needs --group"),
        (["--device", "dev-000001", "--group", "grp-01"], "not both"),
        (["--group", "grp-01", "--customer", "cust-01"], "cannot be combined"),
        (["--device-type", "thermostat", "--device-type", "gateway"], "several --device-type"),
        ([], "no targets"),
    ],
)
def test_usage_errors(cli: Cli, args: list[str], message: str) -> None:
    result = cli("--command", "ping", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_refusals_from_the_service(cli: Cli) -> None:
    unknown = cli("--command", "ping", "--device-type", "toaster")
    assert unknown.exit_code == 2 and "INVALID_ARGUMENT: 4060:" in unknown.output
    nothing = cli("--command", "ping", "--customer", "cust-nobody")
    assert nothing.exit_code == 1 and "FAILED_PRECONDITION" in nothing.output
