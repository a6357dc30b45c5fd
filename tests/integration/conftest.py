"""Real servers for integration tests: external ones, Docker containers, or the local dev stack.

``servers`` picks, in order:
1. the servers named by ``BATCHOPS_TEST_KAFKA``, ``BATCHOPS_TEST_MONGO_URI``, ``BATCHOPS_TEST_ZK`` (all set);
2. official images via testcontainers when ``BATCHOPS_TEST_CONTAINERS=1`` (needs a reachable Docker engine);
3. a ``DevStack`` in ``<repo>/.devstack/test`` on its own ports, so it coexists with ``make run``'s stack.
   What the test sessions started is stopped when the last concurrently running session ends
   (never what was already running before), unless ``BATCHOPS_TEST_KEEP_SERVERS=1``.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from batchops.devstack import DevStack, Endpoints, Ports, shared_stack, wait_for
from batchops.devstack.ports import free_ports

_HERE = Path(__file__).parent
REPO_ROOT = _HERE.parents[1]
TEST_STATE_DIR = REPO_ROOT / ".devstack" / "test"
TEST_INSTALL_DIR = TEST_STATE_DIR / "venvs"
TEST_PORTS = Ports(kafka=19092, mongo=27117, zookeeper=12181, kafka_controller=19093)

_EXTERNAL_VARS = ("BATCHOPS_TEST_KAFKA", "BATCHOPS_TEST_MONGO_URI", "BATCHOPS_TEST_ZK")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(_HERE):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def servers() -> Iterator[Endpoints]:
    if all(os.environ.get(var) for var in _EXTERNAL_VARS):
        yield Endpoints(
            kafka_bootstrap=os.environ["BATCHOPS_TEST_KAFKA"],
            mongo_uri=os.environ["BATCHOPS_TEST_MONGO_URI"],
            zk_hosts=os.environ["BATCHOPS_TEST_ZK"],
        )
    elif os.environ.get("BATCHOPS_TEST_CONTAINERS") == "1":
        with ExitStack() as stack:
            yield _start_containers(stack)
    else:
        yield from _dev_stack()


def _dev_stack() -> Iterator[Endpoints]:
    stack = DevStack(TEST_STATE_DIR, ports=TEST_PORTS, mongo_in_memory=True, install_dir=TEST_INSTALL_DIR)
    # Parallel sessions share the stack; the last one out stops what the sessions started.
    with shared_stack(stack, keep=os.environ.get("BATCHOPS_TEST_KEEP_SERVERS") == "1") as endpoints:
        yield endpoints


def _start_containers(stack: ExitStack) -> Endpoints:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
    except Exception as exc:
        pytest.fail(
            f"BATCHOPS_TEST_CONTAINERS=1 but no Docker engine is reachable ({exc}); unset it to use the "
            "local dev stack, or point BATCHOPS_TEST_KAFKA/_MONGO_URI/_ZK at running servers",
            pytrace=False,
        )
    from testcontainers.core.container import DockerContainer
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    kafka = stack.enter_context(KafkaContainer())
    mongo = stack.enter_context(MongoDbContainer())
    zk = stack.enter_context(
        DockerContainer("zookeeper:3.8")
        .with_env("ZOO_4LW_COMMANDS_WHITELIST", "ruok,srvr,stat,mntr")
        .with_exposed_ports(2181)
    )
    zk_host, zk_port = zk.get_container_host_ip(), int(zk.get_exposed_port(2181))
    wait_for(lambda: _ruok(zk_host, zk_port), timeout=60, interval=0.2, message="zookeeper container ruok")
    return Endpoints(
        kafka_bootstrap=kafka.get_bootstrap_server(),
        mongo_uri=f"{mongo.get_connection_url()}/?directConnection=true",
        zk_hosts=f"{zk_host}:{zk_port}",
    )


def _ruok(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0) as sock:
            sock.sendall(b"ruok")
            return sock.recv(4) == b"imok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def devstack_install_dir() -> Path:
    """The test dev stack's venvs; other DevStacks in tests share them to skip reinstalling."""
    return TEST_INSTALL_DIR


@pytest.fixture
def own_kafka(tmp_path: Path) -> Iterator[DevStack]:
    """An Apache Kafka broker of this test only (log directories under tmp_path), for tests that
    stop, restart, wipe or grow the broker; ``own_kafka.endpoints.kafka_bootstrap`` reaches it."""
    kafka, controller, mongo, zookeeper = free_ports(4)
    stack = DevStack(
        tmp_path / "kafka-stack",
        Ports(kafka=kafka, kafka_controller=controller, mongo=mongo, zookeeper=zookeeper),
        install_dir=TEST_INSTALL_DIR,
        ready_timeout=180,
    )
    stack.up(only=["kafka"])
    try:
        yield stack
    finally:
        stack.down()


@pytest.fixture
def unique_name() -> str:
    """A short id unique per test (a letter then 10 hex digits), for tenant ids, databases and topics."""
    return "t" + secrets.token_hex(5)


@pytest.fixture
def tenant(unique_name: str) -> str:
    """This test's tenant id."""
    return unique_name
