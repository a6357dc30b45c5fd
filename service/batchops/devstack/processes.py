"""Start detached server processes, record their pids, find them again and stop exactly them."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from batchops.devstack.errors import DevStackError

# Two create_time readings of one process agree to well under this (both derive from the same boot time).
CREATE_TIME_TOLERANCE = 0.05

# Popen objects of servers started by this process, kept so they are reaped without ResourceWarnings.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class PidRecord:
    """What ``<state>/pids/<name>.json`` holds about one started server."""

    name: str
    pid: int
    create_time: float
    port: int
    argv: tuple[str, ...] = ()

    def to_json(self) -> str:
        data = {
            "name": self.name,
            "pid": self.pid,
            "create_time": self.create_time,
            "port": self.port,
            "argv": list(self.argv),
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> PidRecord:
        """Parse a record; raises ``ValueError`` when the text is not a valid record."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("pid record is not a JSON object")
        name, pid, create_time, port = (
            data.get("name"),
            data.get("pid"),
            data.get("create_time"),
            data.get("port"),
        )
        argv = data.get("argv", [])
        if not isinstance(name, str) or not name:
            raise ValueError("pid record has no name")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            raise ValueError("pid record has no valid pid")
        if not isinstance(create_time, int | float) or isinstance(create_time, bool):
            raise ValueError("pid record has no valid create_time")
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise ValueError("pid record has no valid port")
        if not isinstance(argv, list) or not all(isinstance(arg, str) for arg in argv):
            raise ValueError("pid record has an invalid argv")
        return cls(name=name, pid=pid, create_time=float(create_time), port=port, argv=tuple(argv))


def read_record(path: Path) -> PidRecord | None:
    """The record at ``path``; ``None`` when missing or unreadable (a corrupt record is as good as none)."""
    try:
        return PidRecord.from_json(path.read_text())
    except (OSError, ValueError):
        return None


def write_record(path: Path, record: PidRecord) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(record.to_json())
    tmp.replace(path)


def remove_record(path: Path) -> None:
    path.unlink(missing_ok=True)


def live_process(record: PidRecord) -> psutil.Process | None:
    """The running process the record describes, or ``None`` if it is gone or the pid was reused."""
    try:
        proc = psutil.Process(record.pid)
        if abs(proc.create_time() - record.create_time) > CREATE_TIME_TOLERANCE:
            return None
        if proc.status() == psutil.STATUS_ZOMBIE:
            _reap(record.pid)
            return None
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return proc


def spawn(
    name: str, argv: Sequence[str], port: int, log_file: Path, cwd: Path, env: Mapping[str, str]
) -> PidRecord:
    """Start ``argv`` in its own session, output appended to ``log_file``, and describe it.

    Appended, not truncated: after a restart the previous run's last lines (why it stopped, what
    it was doing) are still there to read."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        log.write(f"---- {name} starting at {time.strftime('%Y-%m-%dT%H:%M:%S%z')} ----\n".encode())
        log.flush()
        try:
            popen = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=dict(env),
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise DevStackError(f"could not start {name} ({argv[0]}): {exc}") from exc
    _CHILDREN[popen.pid] = popen
    try:
        create_time = psutil.Process(popen.pid).create_time()
    except psutil.NoSuchProcess as exc:  # pragma: no cover - only if reaped by someone else
        raise DevStackError(f"{name} exited at once; see {log_file}") from exc
    return PidRecord(name=name, pid=popen.pid, create_time=create_time, port=port, argv=tuple(argv))


def exit_code(pid: int) -> int | None:
    """The exit status of a server this process started and that has exited, else ``None``."""
    popen = _CHILDREN.get(pid)
    if popen is None:
        return None
    return popen.poll()


def stop_processes(procs: Sequence[psutil.Process], grace: float = 10.0) -> None:
    """SIGTERM each process, wait up to ``grace`` seconds, then SIGKILL whatever is left."""
    for proc in procs:
        _signal(proc, kill=False)
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for proc in alive:
        _signal(proc, kill=True)
    _, still_alive = psutil.wait_procs(alive, timeout=5.0)
    for proc in procs:
        _reap(proc.pid)
    if still_alive:
        pids = ", ".join(str(proc.pid) for proc in still_alive)
        raise DevStackError(f"processes {pids} did not exit after SIGKILL")


def _signal(proc: psutil.Process, *, kill: bool) -> None:
    try:
        if kill:
            proc.kill()
        else:
            proc.terminate()
    except psutil.NoSuchProcess:
        pass
    except psutil.AccessDenied as exc:
        raise DevStackError(f"not allowed to signal pid {proc.pid}; stop it as its owner") from exc


def _reap(pid: int) -> None:
    popen = _CHILDREN.get(pid)
    if popen is not None and popen.poll() is not None:
        del _CHILDREN[pid]


def log_tail(path: Path, lines: int = 25, max_bytes: int = 64 * 1024) -> str:
    """The last ``lines`` lines of a log file ('' if it can't be read)."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])
