"""ZooKeeper ACLs on tenant nodes (issue 12, "also asked"), against the real ZooKeeper: nodes
written with credentials carry a digest ACL, a client without them can neither read nor change
them, and the service's tenant manager with the credentials still runs the tenant."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kazoo.client import KazooClient
from kazoo.exceptions import NoAuthError
from kazoo.security import Permissions
from typer.testing import CliRunner

from batchops.devstack import Endpoints, wait_for
from batchops.tenants import TenantEngineManager, ZkConnection, ZkLayout
from batchops.tenants.cli import tenants_app
from batchops.tenants.zk_auth import PASSWORD_VARIABLE, USERNAME_VARIABLE, ZkCredentials
from support.recording_engine import RecordingFactory

CREDENTIALS = ZkCredentials("batchops-test", "zk-acl-test-password")
TIMEOUT = 60.0
runner = CliRunner()


@pytest.fixture
def layout(unique_name: str) -> ZkLayout:
    return ZkLayout(unique_name)


def _client(servers: Endpoints, credentials: ZkCredentials | None) -> KazooClient:
    options = credentials.client_options() if credentials is not None else {}
    client = KazooClient(hosts=servers.zk_hosts, **options)
    client.start(timeout=15)
    return client


@pytest.fixture
def owner(servers: Endpoints, layout: ZkLayout) -> Iterator[KazooClient]:
    """Holds the credentials: the only client that can clean the test's tree up."""
    client = _client(servers, CREDENTIALS)
    yield client
    client.delete(layout.root, recursive=True)
    client.stop()
    client.close()


@pytest.fixture
def stranger(servers: Endpoints) -> Iterator[KazooClient]:
    client = _client(servers, None)
    yield client
    client.stop()
    client.close()


def _cli(servers: Endpoints, layout: ZkLayout, *args: str, credentials: bool = True, expect: int = 0) -> str:
    env = (
        {USERNAME_VARIABLE: CREDENTIALS.username, PASSWORD_VARIABLE: CREDENTIALS.password}
        if credentials
        else {}
    )
    result = runner.invoke(
        tenants_app, [*args, "--zk", servers.zk_hosts, "--instance-id", layout.instance_id], env=env
    )
    assert result.exit_code == expect, (result.exit_code, result.output)
    return result.output


def test_tenant_nodes_written_with_credentials_are_closed_to_others(
    servers: Endpoints, layout: ZkLayout, owner: KazooClient, stranger: KazooClient
) -> None:
    assert "added" in _cli(servers, layout, "add", "acme", "--max-attempts", "4")
    nodes = [layout.tenant_conf("acme"), layout.json_config("acme"), layout.configured_marker("acme")]
    for path in nodes:
        acls, _ = owner.get_acls(path)
        assert [(acl.id.scheme, acl.id.id.split(":")[0], acl.perms) for acl in acls] == [
            ("digest", CREDENTIALS.username, Permissions.ALL)
        ], path
    # Without the credentials: nothing can be read, changed, added or deleted.
    with pytest.raises(NoAuthError):
        stranger.get(layout.json_config("acme"))
    with pytest.raises(NoAuthError):
        stranger.set(layout.json_config("acme"), b"{}")
    with pytest.raises(NoAuthError):
        stranger.get_children(layout.tenant_conf("acme"))
    with pytest.raises(NoAuthError):
        stranger.create(f"{layout.tenant_conf('acme')}/intruder", b"")
    with pytest.raises(NoAuthError):
        stranger.delete(layout.configured_marker("acme"))
    # The commands without the credentials are refused with a clear message, not a traceback.
    output = _cli(servers, layout, "configure", "acme", "--max-attempts", "9", credentials=False, expect=1)
    assert USERNAME_VARIABLE in output
    # With them, everything works.
    _cli(servers, layout, "configure", "acme", "--max-attempts", "9")
    assert '"maxAttempts": 9' in _cli(servers, layout, "list", "--json")


def test_the_service_with_credentials_runs_acl_protected_tenants(
    servers: Endpoints, layout: ZkLayout, owner: KazooClient
) -> None:
    _cli(servers, layout, "add", "acme")
    factory = RecordingFactory()
    manager = TenantEngineManager(
        ZkConnection(servers.zk_hosts, credentials=CREDENTIALS),
        layout.instance_id,
        factory,
        instance_name="acl-test",
    )
    manager.start()
    try:
        assert manager.wait_until_running("acme", TIMEOUT)
        # Nodes the service writes itself (its state markers) carry the same ACL.
        marker = wait_for(
            lambda: owner.exists(layout.tenant_bootstrapped("acme")) and layout.tenant_bootstrapped("acme"),
            TIMEOUT,
            message="state marker",
        )
        acls, _ = owner.get_acls(marker)
        assert [acl.id.scheme for acl in acls] == ["digest"]
    finally:
        manager.stop()
    assert factory.violations == []
