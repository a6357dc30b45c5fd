"""One holder at a time: a second ``file_lock(refuse_as=...)`` on the same file is refused at once,
and the bench refuses to start while another bench holds its state directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from batchops.bench import servers
from batchops.devstack import DevStackError
from batchops.devstack.locking import file_lock


def test_a_held_lock_refuses_a_second_holder_until_released(tmp_path: Path) -> None:
    lock = tmp_path / "state" / "x.lock"
    with (
        file_lock(lock, refuse_as="the first"),
        pytest.raises(DevStackError, match="the second is already running"),
        file_lock(lock, refuse_as="the second"),
    ):
        pass
    with file_lock(lock, refuse_as="the second"):
        pass


def test_a_second_bench_is_refused_before_it_touches_any_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "bench_state_dir", lambda: tmp_path)
    touched: list[Path] = []
    monkeypatch.setattr(servers, "_own_servers", lambda state_dir, *_: iter(touched.append(state_dir) or ()))
    with (
        file_lock(tmp_path / "bench.lock", refuse_as="the first bench"),
        pytest.raises(DevStackError, match="another batchops bench"),
        servers.own_servers(False, print),
    ):
        pass
    assert touched == []
