"""One holder at a time: a second ``exclusive_or_refuse`` on the same file is refused at once,
and the bench refuses to start while another bench holds its state directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchops.bench import servers
from batchops.devstack import DevStackError
from batchops.devstack.locking import exclusive_or_refuse


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path: Path) -> None:
    lock = tmp_path / "state" / "x.lock"
    with (
        exclusive_or_refuse(lock, "the first"),
        pytest.raises(DevStackError, match="the second is already running"),
        exclusive_or_refuse(lock, "the second"),
    ):
        pass
    with exclusive_or_refuse(lock, "the second"):
        pass


def test_a_second_bench_is_refused_before_it_touches_any_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "bench_state_dir", lambda: tmp_path)
    touched: list[Path] = []
    monkeypatch.setattr(servers, "_own_servers", lambda state_dir, *_: iter(touched.append(state_dir) or ()))
    with (
        exclusive_or_refuse(tmp_path / "bench.lock", "the first bench"),
        pytest.raises(DevStackError, match="another batchops bench"),
        servers.own_servers(False, print),
    ):
        pass
    assert touched == []
