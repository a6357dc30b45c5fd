"""`batchops tenants add --if-not-exists`: the idempotent add the compose bootstrap job runs on every `up`."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kazoo.client import KazooClient
from typer.testing import CliRunner

from batchops.devstack import Endpoints
from batchops.tenants import ZkLayout, parse_json
from batchops.tenants.cli import tenants_app

runner = CliRunner()
BATCHOPS = Path(sys.executable).with_name("batchops")


def _add(servers: Endpoints, layout: ZkLayout, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        tenants_app, ["add", *args, "--zk", servers.zk_hosts, "--instance-id", layout.instance_id]
    )
    return result.exit_code, result.output


def test_existing_tenant_is_left_unchanged_with_exit_0(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout
) -> None:
    assert _add(servers, layout, "acme", "--throttle-delay-ms", "25", "--if-not-exists") == (
        0,
        "tenant acme added (batch-operations.json)\n",
    )
    data, stat = zk.get(layout.json_config("acme"))
    assert parse_json(data).throttle_delay_ms == 25

    # Different settings on a second run change nothing: the node is not even rewritten.
    code, output = _add(servers, layout, "acme", "--throttle-delay-ms", "99", "--if-not-exists")
    assert (code, output) == (0, "tenant acme already exists (left unchanged)\n")
    again, again_stat = zk.get(layout.json_config("acme"))
    assert again == data and again_stat.mzxid == stat.mzxid
    assert zk.exists(layout.configured_marker("acme")) is not None

    # Without the flag an existing tenant is still an error, as before.
    code, output = _add(servers, layout, "acme")
    assert code == 1 and "already exists" in output


def test_invalid_input_is_refused_even_when_the_tenant_exists(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout
) -> None:
    assert _add(servers, layout, "acme", "--if-not-exists")[0] == 0
    code, output = _add(servers, layout, "acme", "--throttle-delay-ms", "-1", "--if-not-exists")
    assert code == 2 and "throttleDelayMs" in output
    code, output = _add(servers, layout, "bad/id", "--if-not-exists")
    assert code == 2, output


def test_concurrent_bootstrap_jobs_add_the_tenant_once_and_all_succeed(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout
) -> None:
    # The installed entry point, as the compose job runs it; four racing jobs (e.g. two `up`s).
    command = [
        str(BATCHOPS),
        *("tenants", "add", "demo", "--if-not-exists"),
        *("--zk", servers.zk_hosts, "--instance-id", layout.instance_id),
    ]

    def run(_: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, range(4)))
    assert [result.returncode for result in results] == [0] * 4, [result.stderr for result in results]
    outputs = sorted(result.stdout for result in results)
    assert (
        outputs
        == ["tenant demo added (batch-operations.json)\n"]
        + ["tenant demo already exists (left unchanged)\n"] * 3
    )
    assert zk.get_children(layout.tenants_conf) == ["demo"]
