"""A second DevStack on free ports: up, idempotent up, refusal of a foreign port, exact down."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from batchops.devstack import SERVER_NAMES, DevStack, DevStackError, Ports
from batchops.devstack.ports import free_ports
from batchops.devstack.processes import PidRecord, read_record, write_record
from batchops.devstack.servers import ServerSpec

_LISTENER = (
    "import socket, sys\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', int(sys.argv[1])))\n"
    "s.listen()\n"
    "print('listening', flush=True)\n"
    "sys.stdin.read()\n"
)


@pytest.fixture
def foreign_listener() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """Another process (not ours) listening on a free port on 127.0.0.1."""
    (port,) = free_ports(1)
    proc = subprocess.Popen(
        [sys.executable, "-c", _LISTENER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "listening"
    try:
        yield proc, port
    finally:
        proc.kill()
        proc.wait()


def _stack(state_dir: Path, install_dir: Path, kafka: int | None = None) -> DevStack:
    zk, mongo, free_kafka, controller = free_ports(4)
    ports = Ports(kafka=kafka or free_kafka, mongo=mongo, zookeeper=zk, kafka_controller=controller)
    return DevStack(state_dir, ports=ports, mongo_in_memory=True, install_dir=install_dir, ready_timeout=60)


def test_foreign_port_is_refused_and_nothing_starts(
    tmp_path: Path, devstack_install_dir: Path, foreign_listener: tuple[subprocess.Popen[str], int]
) -> None:
    proc, port = foreign_listener
    stack = _stack(tmp_path / "state", devstack_install_dir, kafka=port)
    with pytest.raises(DevStackError, match=rf"port {port} is already in use by pid {proc.pid}"):
        stack.up()
    assert not any(status.running for status in stack.status().values())
    assert stack.down() == []
    assert proc.poll() is None


def test_up_is_idempotent_and_down_stops_exactly_its_pids(
    tmp_path: Path, devstack_install_dir: Path, foreign_listener: tuple[subprocess.Popen[str], int]
) -> None:
    foreign, _ = foreign_listener
    stack = _stack(tmp_path / "state", devstack_install_dir)
    try:
        endpoints = stack.up()
        assert endpoints == stack.endpoints
        first = stack.status()
        assert set(first) == set(SERVER_NAMES)
        assert all(status.running and status.ready and status.pid for status in first.values()), first
        pids = {name: status.pid for name, status in first.items()}
        for name, status in first.items():
            conns = psutil.Process(status.pid).net_connections(kind="inet")
            listening = {c.laddr.ip for c in conns if c.status == psutil.CONN_LISTEN}
            assert listening <= {"127.0.0.1", "::ffff:127.0.0.1"}, (name, listening)

        assert stack.up() == endpoints
        assert {name: status.pid for name, status in stack.status().items()} == pids

        stopped = stack.down()
        assert sorted(stopped) == sorted(f"{name} (pid {pid})" for name, pid in pids.items())
        for pid in pids.values():
            assert pid is not None and not _alive(pid)
        assert not any(status.running for status in stack.status().values())
        assert foreign.poll() is None
        assert stack.down() == []
    finally:
        stack.down()


def test_down_ignores_a_record_whose_pid_was_reused(
    tmp_path: Path, devstack_install_dir: Path, foreign_listener: tuple[subprocess.Popen[str], int]
) -> None:
    foreign, port = foreign_listener
    stack = _stack(tmp_path / "state", devstack_install_dir)
    real = psutil.Process(foreign.pid).create_time()
    record = PidRecord(name="kafka", pid=foreign.pid, create_time=real - 100.0, port=port)
    path = stack.layout.pid_file("kafka")
    write_record(path, record)
    assert read_record(path) == record
    assert not stack.status()["kafka"].running
    assert stack.down() == []
    assert foreign.poll() is None
    assert not path.exists()


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class _BrokenKafkaStack(DevStack):
    """Kafka replaced by a process that writes a line and exits while 'starting'."""

    def specs(self) -> list[ServerSpec]:
        specs = super().specs()
        crash = [sys.executable, "-c", "print('fatal: no storage engine'); raise SystemExit(3)"]
        return [
            dataclasses.replace(spec, prepare=lambda: crash, probe=lambda _t: False)
            if spec.name == "kafka"
            else spec
            for spec in specs
        ]


def test_a_server_dying_at_start_reports_its_log_and_stops_the_others(
    tmp_path: Path, devstack_install_dir: Path
) -> None:
    zk, mongo, kafka, controller = free_ports(4)
    stack = _BrokenKafkaStack(
        tmp_path / "state",
        ports=Ports(kafka=kafka, mongo=mongo, zookeeper=zk, kafka_controller=controller),
        mongo_in_memory=True,
        install_dir=devstack_install_dir,
        ready_timeout=60,
    )
    with pytest.raises(DevStackError, match=r"(?s)kafka exited with status 3.*fatal: no storage engine"):
        stack.up()
    assert stack.running() == set()
    assert list(stack.layout.pids_dir.iterdir()) == []
