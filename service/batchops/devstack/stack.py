"""``DevStack``: install, start, probe, report on and stop the local Kafka/Mongo/ZooKeeper servers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from batchops.devstack import install
from batchops.devstack.errors import DevStackError
from batchops.devstack.layout import Layout
from batchops.devstack.locking import file_lock
from batchops.devstack.polling import wait_for
from batchops.devstack.ports import LOCALHOST, check_port
from batchops.devstack.processes import (
    PidRecord,
    exit_code,
    live_process,
    log_tail,
    read_record,
    remove_record,
    spawn,
    stop_processes,
    write_record,
)
from batchops.devstack.servers import ServerSpec, kafka_spec, mongo_spec, mongo_uri, zookeeper_spec

SERVER_NAMES: tuple[str, ...] = ("zookeeper", "mongo", "kafka")
PROBE_TIMEOUT = 1.0


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str
    mongo_uri: str
    zk_hosts: str


@dataclass(frozen=True)
class Ports:
    kafka: int = 9092
    mongo: int = 27017
    zookeeper: int = 2181
    kafka_controller: int = 9093  # the KRaft controller listener of the one-node broker

    def all(self) -> tuple[int, ...]:
        return (self.kafka, self.kafka_controller, self.mongo, self.zookeeper)


@dataclass(frozen=True)
class ServerStatus:
    name: str
    running: bool
    pid: int | None
    address: str
    ready: bool
    log_file: Path


@dataclass(frozen=True)
class _Live:
    spec: ServerSpec
    record: PidRecord
    process: psutil.Process | None
    started: bool  # by the current up() call


class DevStack:
    """The local dev servers recorded under one state folder.

    ``install_dir`` (default ``<state>/venvs``) holds the private venvs, so several stacks can share them.
    """

    def __init__(
        self,
        state_dir: Path,
        ports: Ports = Ports(),
        mongo_in_memory: bool = False,
        *,
        install_dir: Path | None = None,
        ready_timeout: float = 120.0,
        stop_grace: float = 10.0,
    ) -> None:
        values = ports.all()
        if len(set(values)) != len(values) or not all(0 < port < 65536 for port in values):
            raise DevStackError(f"the servers need four distinct valid ports, got {ports}")
        self._layout = Layout.create(state_dir, install_dir)
        self._ports = ports
        self._mongo_in_memory = mongo_in_memory
        self._ready_timeout = ready_timeout
        self._stop_grace = stop_grace

    @property
    def layout(self) -> Layout:
        return self._layout

    @property
    def ports(self) -> Ports:
        return self._ports

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints(
            kafka_bootstrap=f"{LOCALHOST}:{self._ports.kafka}",
            mongo_uri=mongo_uri(self._ports.mongo),
            zk_hosts=f"{LOCALHOST}:{self._ports.zookeeper}",
        )

    def specs(self) -> list[ServerSpec]:
        return [
            zookeeper_spec(self._layout, self._ports.zookeeper),
            mongo_spec(self._layout, self._ports.mongo, self._mongo_in_memory),
            kafka_spec(self._layout, self._ports.kafka, self._ports.kafka_controller),
        ]

    # -- up ------------------------------------------------------------------------------------------

    def up(self, only: Iterable[str] | None = None) -> Endpoints:
        """Install what is missing, start what is not running (all, or the named servers), wait
        until they answer their protocol."""
        names = self._select(only)
        self._layout.ensure()
        with file_lock(self._layout.lock_file):
            specs = [spec for spec in self.specs() if spec.name in names]
            reused = self._find_running(specs)
            to_start = [spec for spec in specs if spec.name not in reused]
            self._refuse_taken_ports(to_start, own_pids={live.record.pid for live in reused.values()})
            started = self._start(to_start)
            try:
                self._wait_ready([*reused.values(), *started])
            except BaseException:
                self._stop_and_forget(started)
                raise
        return self.endpoints

    def _find_running(self, specs: Sequence[ServerSpec]) -> dict[str, _Live]:
        running: dict[str, _Live] = {}
        for spec in specs:
            path = self._layout.pid_file(spec.name)
            record = read_record(path)
            process = live_process(record) if record is not None else None
            if record is None or process is None:
                remove_record(path)
                continue
            if record.port != spec.port:
                raise DevStackError(
                    f"{spec.name} of {self._layout.state_dir} already runs on port {record.port} "
                    f"(pid {record.pid}), not {spec.port}: stop it first (`batchops dev down`)"
                )
            running[spec.name] = _Live(spec, record, process, started=False)
        return running

    @staticmethod
    def _refuse_taken_ports(specs: Sequence[ServerSpec], own_pids: set[int]) -> None:
        problems = []
        for spec in specs:
            for port in (spec.port, *spec.other_ports):
                reason = check_port(port, own_pids)
                if reason is not None:
                    problems.append(f"cannot start {spec.name}: {reason}")
        if problems:
            raise DevStackError("\n".join(problems))

    def _start(self, specs: Sequence[ServerSpec]) -> list[_Live]:
        commands = [(spec, spec.prepare()) for spec in specs]  # installs first, so a failure starts nothing
        started: list[_Live] = []
        try:
            for spec, argv in commands:
                log_file = self._layout.log_file(spec.name)
                record = spawn(
                    spec.name, argv, spec.port, log_file, self._layout.state_dir, install.clean_env()
                )
                write_record(self._layout.pid_file(spec.name), record)
                started.append(_Live(spec, record, live_process(record), started=True))
        except BaseException:
            self._stop_and_forget(started)
            raise
        return started

    def _wait_ready(self, servers: Sequence[_Live]) -> None:
        """Probe all servers in turn until each answers; a server that exits fails the wait at once."""
        pending = list(servers)

        def all_ready() -> bool:
            pending[:] = [server for server in pending if not self._ready_or_dead(server)]
            return not pending

        try:
            wait_for(all_ready, timeout=self._ready_timeout, interval=0.05)
        except TimeoutError:
            late = pending[0].spec
            raise DevStackError(
                f"{late.name} did not answer on {late.address} within "
                f"{self._ready_timeout:g} s{self._log_excerpt(late.name)}"
            ) from None

    def _ready_or_dead(self, server: _Live) -> bool:
        code = exit_code(server.record.pid)
        if code is not None or live_process(server.record) is None:
            status = f" with status {code}" if code is not None else ""
            raise DevStackError(
                f"{server.spec.name} exited{status} while starting{self._log_excerpt(server.spec.name)}"
            )
        return server.spec.probe(PROBE_TIMEOUT)

    def _log_excerpt(self, name: str) -> str:
        log_file = self._layout.log_file(name)
        tail = log_tail(log_file)
        if not tail:
            return f" (its log {log_file} is empty)"
        return f"; last lines of {log_file}:\n{tail}"

    def _stop_and_forget(self, servers: Sequence[_Live]) -> None:
        stop_processes([live.process for live in servers if live.process is not None], self._stop_grace)
        for live in servers:
            remove_record(self._layout.pid_file(live.spec.name))

    # -- down / status -------------------------------------------------------------------------------

    def down(self, only: Iterable[str] | None = None) -> list[str]:
        """Stop exactly the recorded, still-running processes (all, or the named ones).

        Returns one ``"<name> (pid N)"`` per stopped server; stale pid records are just removed.
        """
        names = self._select(only)
        if not self._layout.pids_dir.is_dir():
            return []
        with file_lock(self._layout.lock_file):
            targets: list[tuple[str, PidRecord, psutil.Process]] = []
            for name in names:
                path = self._layout.pid_file(name)
                record = read_record(path)
                process = live_process(record) if record is not None else None
                if record is None or process is None:
                    remove_record(path)
                else:
                    targets.append((name, record, process))
            stop_processes([process for _, _, process in targets], self._stop_grace)
            for name, _, _ in targets:
                remove_record(self._layout.pid_file(name))
        return [f"{name} (pid {record.pid})" for name, record, _ in targets]

    @staticmethod
    def _select(only: Iterable[str] | None) -> list[str]:
        if only is None:
            return list(SERVER_NAMES)
        names = list(only)
        unknown = sorted(set(names) - set(SERVER_NAMES))
        if unknown:
            raise DevStackError(f"unknown server(s) {', '.join(unknown)}; known: {', '.join(SERVER_NAMES)}")
        return [name for name in SERVER_NAMES if name in names]

    def running(self) -> set[str]:
        """Names of the servers whose recorded process is alive (no protocol probe)."""
        names = set()
        for name in SERVER_NAMES:
            record = read_record(self._layout.pid_file(name))
            if record is not None and live_process(record) is not None:
                names.add(name)
        return names

    def status(self) -> dict[str, ServerStatus]:
        """Per server: is its recorded process alive, its pid and address, and does it answer now?"""
        result: dict[str, ServerStatus] = {}
        for spec in self.specs():
            record = read_record(self._layout.pid_file(spec.name))
            running = record is not None and live_process(record) is not None
            port = record.port if record is not None and running else spec.port
            result[spec.name] = ServerStatus(
                name=spec.name,
                running=running,
                pid=record.pid if record is not None and running else None,
                address=f"{LOCALHOST}:{port}",
                ready=running and port == spec.port and spec.probe(PROBE_TIMEOUT),
                log_file=self._layout.log_file(spec.name),
            )
        return result
