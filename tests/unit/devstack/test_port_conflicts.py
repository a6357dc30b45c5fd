from __future__ import annotations

from batchops.devstack.ports import PortHolder, port_conflict


def test_bindable_port_is_free() -> None:
    assert port_conflict(9092, bindable=True, holders=[], own_pids=set()) is None


def test_port_held_by_our_own_process_is_fine() -> None:
    holders = [PortHolder(pid=100, name="java", address="127.0.0.1:9092")]
    assert port_conflict(9092, bindable=False, holders=holders, own_pids={100}) is None


def test_foreign_holder_is_named() -> None:
    holders = [PortHolder(pid=200, name="java", address="0.0.0.0:9092")]
    reason = port_conflict(9092, bindable=False, holders=holders, own_pids={100})
    assert reason == "port 9092 is already in use by pid 200 (java) listening on 0.0.0.0:9092"


def test_unknown_holder_still_refuses() -> None:
    reason = port_conflict(2181, bindable=False, holders=[], own_pids=set())
    assert reason == "port 2181 is already in use by another process"
    hidden = [PortHolder(pid=None, name=None, address="127.0.0.1:2181")]
    reason = port_conflict(2181, bindable=False, holders=hidden, own_pids={1})
    assert reason == "port 2181 is already in use by an unknown process listening on 127.0.0.1:2181"
