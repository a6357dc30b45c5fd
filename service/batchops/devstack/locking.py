"""An exclusive advisory file lock, so two processes don't install or start the same thing at once."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from batchops.devstack.errors import DevStackError


@contextmanager
def file_lock(path: Path, *, refuse_as: str | None = None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the duration of the block.
    It waits for another holder; with ``refuse_as`` (naming the holder) it raises ``DevStackError``
    at once instead."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (fcntl.LOCK_NB if refuse_as else 0))
        except BlockingIOError:
            raise DevStackError(f"{refuse_as} is already running (lock {path} held)") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
