"""Child processes the benchmark starts (service, simulator): started with a log file, awaited
on a line they print, stopped by pid (SIGTERM, then SIGKILL), and their memory sampled."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import psutil

from batchops.errors import BatchopsError, ErrorKind

BYTES_PER_MB = 1024 * 1024


class ChildFailed(BatchopsError):
    """A child process exited or did not get ready in time."""

    kind = ErrorKind.UNAVAILABLE


class Child:
    """One started process. Its stdout is read on a thread (kept: the last lines); stderr goes to
    ``log_file``."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_file: Path) -> None:
        self.name = name
        self.log_file = log_file
        log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log_file.open("wb")
        self._proc = subprocess.Popen(
            list(argv), env=dict(env), stdout=subprocess.PIPE, stderr=self._log, text=True, bufsize=1
        )
        self.lines: deque[str] = deque(maxlen=200)
        self._new_line = threading.Condition()
        self._reader = threading.Thread(target=self._read, name=f"read-{name}", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:
            self._new_line.notify_all()

    def wait_for_line(self, prefix: str, timeout: float) -> str:
        """The first stdout line starting with ``prefix``; raises if the process exits first."""
        deadline = time.monotonic() + timeout
        with self._new_line:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                if self._proc.poll() is not None:
                    raise ChildFailed(f"{self.name} exited with {self._proc.returncode}{self._tail()}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChildFailed(f"{self.name} printed no '{prefix}' within {timeout:g} s{self._tail()}")
                self._new_line.wait(min(remaining, 0.5))

    def _tail(self) -> str:
        text = ""
        with contextlib.suppress(OSError):
            text = self.log_file.read_text(errors="replace")[-2000:]
        out = "\n".join(list(self.lines)[-10:])
        return f"\nstdout:\n{out}\nlog ({self.log_file}):\n{text}"

    def stop(self, grace: float = 30.0) -> int | None:
        """SIGTERM, wait up to ``grace`` seconds, then SIGKILL (this pid and its children)."""
        try:
            if self._proc.poll() is None:
                children = _children(self._proc.pid)
                self._proc.send_signal(signal.SIGTERM)
                try:
                    self._proc.wait(grace)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
                    self._proc.wait(10)
                for child in children:
                    with contextlib.suppress(psutil.Error):
                        child.kill()
            return self._proc.returncode
        finally:
            self._reader.join(5)
            self._log.close()


def _children(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants (0 if it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


class RssSampler:
    """Samples ``tree_rss_bytes`` every ``interval`` seconds on a thread; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self.peak_bytes = 0
        self.samples = 0

    def __enter__(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sample()

    def sample(self) -> int:
        rss = tree_rss_bytes(self._pid)
        self.peak_bytes = max(self.peak_bytes, rss)
        self.samples += 1
        return rss

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    @property
    def peak_mb(self) -> float:
        return self.peak_bytes / BYTES_PER_MB


def clean_env(overrides: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any ``BATCHOPS_*`` setting, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATCHOPS_")}
    env.update(overrides)
    return env
