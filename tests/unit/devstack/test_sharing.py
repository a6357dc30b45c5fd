from __future__ import annotations

import os

import psutil

from batchops.devstack.sharing import Registry, User


def test_registry_round_trip() -> None:
    registry = Registry(users=[User(12, 1700000000.5)], owned={"kafka", "zookeeper"})
    assert Registry.parse(registry.dump()) == registry


def test_unreadable_registry_is_empty() -> None:
    assert Registry.parse("{oops") == Registry()
    assert Registry.parse('{"users": [{"pid": "x"}]}') == Registry()


def test_unknown_server_names_are_dropped() -> None:
    assert Registry.parse('{"users": [], "owned": ["kafka", "redis"]}').owned == {"kafka"}


def test_prune_keeps_only_live_users() -> None:
    me = User.current()
    assert me.pid == os.getpid()
    gone = User(pid=me.pid, create_time=psutil.Process().create_time() - 50)
    registry = Registry(users=[me, gone], owned={"mongo"})
    registry.prune()
    assert registry.users == [me]
