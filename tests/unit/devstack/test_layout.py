from __future__ import annotations

from pathlib import Path

import pytest

from batchops.devstack import DevStack, DevStackError, Ports, default_state_dir
from batchops.devstack.layout import Layout, find_project_root


def test_project_root_is_nearest_parent_with_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == tmp_path


def test_without_pyproject_the_start_folder_is_the_root(tmp_path: Path) -> None:
    assert find_project_root(tmp_path) == tmp_path


def test_default_state_dir_uses_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert default_state_dir() == tmp_path.resolve() / ".devstack"


def test_layout_paths(tmp_path: Path) -> None:
    layout = Layout.create(tmp_path / "state")
    assert layout.install_dir == tmp_path / "state" / "venvs"
    assert layout.pid_file("kafka") == tmp_path / "state" / "pids" / "kafka.json"
    assert layout.log_file("mongo") == tmp_path / "state" / "logs" / "mongo.log"
    shared = Layout.create(tmp_path / "state", tmp_path / "shared")
    assert shared.venv_dir("secantus") == tmp_path / "shared" / "secantus"


def test_endpoints_follow_ports(tmp_path: Path) -> None:
    stack = DevStack(tmp_path, Ports(kafka=1, mongo=2, zookeeper=3))
    assert stack.endpoints.kafka_bootstrap == "127.0.0.1:1"
    assert stack.endpoints.mongo_uri == "mongodb://127.0.0.1:2/?directConnection=true&retryWrites=false"
    assert stack.endpoints.zk_hosts == "127.0.0.1:3"


def test_duplicate_ports_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DevStackError, match="distinct"):
        DevStack(tmp_path, Ports(kafka=1, mongo=1, zookeeper=3))


def test_down_and_status_on_an_empty_state_dir(tmp_path: Path) -> None:
    stack = DevStack(tmp_path / "never-used")
    assert stack.down() == []
    assert stack.down(only=["kafka"]) == []
    with pytest.raises(DevStackError, match="unknown server"):
        stack.down(only=["redis"])
