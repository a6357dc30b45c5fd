"""Share one DevStack between processes that run at the same time (e.g. parallel pytest sessions).

Each user registers itself in ``<state>/users.json``; servers that a user had to start are remembered
as "owned", and the last user to leave stops the owned servers. Servers that were already running
before any user came (say, started by hand) are never stopped here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from batchops.devstack.locking import file_lock
from batchops.devstack.processes import CREATE_TIME_TOLERANCE
from batchops.devstack.stack import SERVER_NAMES, DevStack, Endpoints


@dataclass(frozen=True)
class User:
    pid: int
    create_time: float

    @classmethod
    def current(cls) -> User:
        return cls(pid=os.getpid(), create_time=psutil.Process().create_time())

    def alive(self) -> bool:
        try:
            proc = psutil.Process(self.pid)
            return abs(proc.create_time() - self.create_time) <= CREATE_TIME_TOLERANCE
        except psutil.Error:
            return False


@dataclass
class Registry:
    users: list[User] = field(default_factory=list)
    owned: set[str] = field(default_factory=set)

    @classmethod
    def parse(cls, text: str) -> Registry:
        """Parse the registry file; anything unreadable counts as an empty registry."""
        try:
            data = json.loads(text)
            users = [User(int(u["pid"]), float(u["create_time"])) for u in data.get("users", [])]
            owned = {str(name) for name in data.get("owned", []) if name in SERVER_NAMES}
        except (ValueError, TypeError, KeyError, AttributeError):
            return cls()
        return cls(users=users, owned=owned)

    def dump(self) -> str:
        users = [{"pid": u.pid, "create_time": u.create_time} for u in self.users]
        return json.dumps({"users": users, "owned": sorted(self.owned)}, indent=2) + "\n"

    def prune(self) -> None:
        self.users = [user for user in self.users if user.alive()]


def _load(path: Path) -> Registry:
    try:
        return Registry.parse(path.read_text())
    except OSError:
        return Registry()


def _save(path: Path, registry: Registry) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(registry.dump())
    tmp.replace(path)


@contextmanager
def shared_stack(stack: DevStack, keep: bool = False) -> Iterator[Endpoints]:
    """``stack.up()`` on entry; on exit, if no other user is left, stop what users started (unless keep)."""
    state = stack.layout.state_dir
    state.mkdir(parents=True, exist_ok=True)
    registry_file, lock = state / "users.json", state / ".users.lock"
    me = User.current()
    with file_lock(lock):
        registry = _load(registry_file)
        registry.prune()
        before = stack.running()
        registry.owned &= before  # forget owned servers that died meanwhile
        endpoints = stack.up()
        registry.owned |= set(SERVER_NAMES) - before
        registry.users.append(me)
        _save(registry_file, registry)
    try:
        yield endpoints
    finally:
        with file_lock(lock):
            registry = _load(registry_file)
            registry.users = [user for user in registry.users if user != me]
            registry.prune()
            if not registry.users and not keep and registry.owned:
                stack.down(only=registry.owned)
                registry.owned = set()
            _save(registry_file, registry)
