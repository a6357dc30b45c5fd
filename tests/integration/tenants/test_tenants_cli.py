"""`batchops tenants ...` against a real ZooKeeper."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Protocol

import pytest
from kazoo.client import KazooClient
from typer.testing import CliRunner

from batchops.devstack import Endpoints, wait_for
from batchops.tenants import TenantEngineManager, ZkLayout, parse_json
from batchops.tenants.cli import tenants_app
from support.recording_engine import RecordingFactory

runner = CliRunner()


class Cli(Protocol):
    def __call__(self, *args: str, expect: int = 0) -> str: ...


@pytest.fixture
def cli(servers: Endpoints, layout: ZkLayout, zk: KazooClient) -> Cli:
    def invoke(*args: str, expect: int = 0) -> str:
        result = runner.invoke(
            tenants_app, [*args, "--zk", servers.zk_hosts, "--instance-id", layout.instance_id]
        )
        assert result.exit_code == expect, (result.exit_code, result.output)
        return result.output

    return invoke


def test_add_list_configure_remove(cli: Cli, zk: KazooClient, layout: ZkLayout) -> None:
    assert "no tenants" in cli("list")
    assert "added" in cli("add", "acme", "--throttle-delay-ms", "25", "--rate-limit-per-second", "10")
    data, _ = zk.get(layout.json_config("acme"))
    assert parse_json(data).throttle_delay_ms == 25
    assert zk.exists(layout.configured_marker("acme")) is not None
    assert zk.exists(layout.bootstrapped_marker) is not None

    # The node keeps only what was given (the rest follows the defaults); the listing shows the
    # effective configuration.
    assert json.loads(data) == {"throttleDelayMs": 25, "rateLimitPerSecond": 10}
    listed = json.loads(cli("list", "--json"))
    assert [(t["tenantId"], t["configured"], t["source"], t["error"]) for t in listed] == [
        ("acme", True, "batch-operations.json", None)
    ]
    assert listed[0]["configuration"]["rateLimitPerSecond"] == 10
    assert listed[0]["configuration"]["maxAttempts"] == 3

    cli("configure", "acme", "--max-attempts", "7")
    config = parse_json(zk.get(layout.json_config("acme"))[0])
    assert (config.max_attempts, config.throttle_delay_ms, config.rate_limit_per_second) == (7, 25, 10)
    assert "acme" in cli("list")

    assert "removed" in cli("remove", "acme")
    assert zk.exists(layout.tenant_conf("acme")) is None
    assert json.loads(cli("list", "--json")) == []


def test_sitewhere_xml_file_goes_to_the_xml_node(
    cli: Cli, zk: KazooClient, layout: ZkLayout, tmp_path: Path
) -> None:
    xml = tmp_path / "batch-operations.xml"
    xml.write_bytes(
        b'<beans xmlns:bop="urn:bop"><bop:batch-operation-manager throttleDelayMs="100"/></beans>'
    )
    cli("add", "acme", "--config", str(xml))
    assert zk.get(layout.sitewhere_config("acme"))[0] == xml.read_bytes()
    assert zk.exists(layout.json_config("acme")) is None
    # Settings on top write our JSON node, which then wins; an XML file again removes it.
    cli("configure", "acme", "--throttle-delay-ms", "5")
    assert json.loads(cli("list", "--json"))[0]["source"] == "batch-operations.json"
    assert json.loads(cli("list", "--json"))[0]["configuration"]["throttleDelayMs"] == 5
    cli("configure", "acme", "--config", str(xml))
    listed = json.loads(cli("list", "--json"))[0]
    assert (listed["source"], listed["configuration"]["throttleDelayMs"]) == ("batch-operations.xml", 100)


def test_json_file(cli: Cli, zk: KazooClient, layout: ZkLayout, tmp_path: Path) -> None:
    config = tmp_path / "tenant.json"
    config.write_text('{"throttleDelayMs": 3, "handlerOptions": {"BatchCommandInvocation": {"x": 1}}}')
    cli("add", "acme", "--config", str(config))
    assert zk.get(layout.json_config("acme"))[0] == config.read_bytes()


def test_errors_and_exit_codes(cli: Cli, zk: KazooClient, layout: ZkLayout, tmp_path: Path) -> None:
    cli("add", "acme")
    assert "already exists" in cli("add", "acme", expect=1)
    assert "not found" in cli("remove", "ghost", expect=1)
    assert "not found" in cli("configure", "ghost", "--max-attempts", "2", expect=1)
    assert "Invalid tenant id" in cli("add", "bad/id", expect=2)
    assert "throttleDelayMs" in cli("add", "other", "--throttle-delay-ms", "-1", expect=2)
    assert "nothing to change" in cli("configure", "acme", expect=2)
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<!DOCTYPE x><beans/>")
    assert "DOCTYPE" in cli("add", "other", "--config", str(bad), expect=2)
    assert "either --config" in cli("add", "other", "--config", str(bad), "--max-attempts", "2", expect=2)
    assert zk.exists(layout.tenant_conf("other")) is None


def test_unreachable_zookeeper_exits_1() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once closed
    result = runner.invoke(tenants_app, ["list", "--zk", f"127.0.0.1:{port}", "--zk-timeout", "1"])
    assert result.exit_code == 1
    assert "cannot reach ZooKeeper" in result.output


def test_environment_defaults(servers: Endpoints, zk: KazooClient, layout: ZkLayout) -> None:
    env = {"BATCHOPS_ZOOKEEPER_HOSTS": servers.zk_hosts, "BATCHOPS_INSTANCE_ID": layout.instance_id}
    result = runner.invoke(tenants_app, ["add", "acme"], env=env)
    assert result.exit_code == 0, result.output
    assert zk.exists(layout.configured_marker("acme")) is not None


def test_cli_changes_drive_a_running_manager(
    cli: Cli,
    manager: TenantEngineManager,
    factory: RecordingFactory,
) -> None:
    cli("add", "acme", "--throttle-delay-ms", "1")
    wait_for(lambda: factory.running_config("acme"), timeout=15, message="started")
    cli("configure", "acme", "--throttle-delay-ms", "2")
    wait_for(
        lambda: (config := factory.running_config("acme")) is not None and config.throttle_delay_ms == 2,
        timeout=15,
        message="restarted",
    )
    cli("remove", "acme")
    wait_for(lambda: not factory.running("acme"), timeout=15, message="stopped")
