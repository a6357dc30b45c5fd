from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from batchops.devstack import DevStackError, install


def test_installed_package_with_matching_stamp_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv = tmp_path / install.SECANTUS.venv_name
    venv.mkdir()
    (venv / install.STAMP_NAME).write_text(json.dumps({"requirement": install.SECANTUS.requirement}))

    def no_commands(argv: Sequence[str], what: str, **_kw: object) -> str:
        raise AssertionError(f"should not run {what}")

    monkeypatch.setattr(install, "run_checked", no_commands)
    assert install.ensure_venv_package(install.SECANTUS, tmp_path) == venv


def test_stale_stamp_triggers_a_fresh_venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / install.SECANTUS.venv_name
    venv.mkdir()
    (venv / "leftover").write_text("x")
    (venv / install.STAMP_NAME).write_text(json.dumps({"requirement": "SecantusDB==0.6.0"}))
    ran: list[str] = []

    def record(argv: Sequence[str], what: str, **_kw: object) -> str:
        ran.append(" ".join(argv[1:]))
        if argv[1:3] == ["-m", "venv"]:
            Path(argv[3]).mkdir()
        return ""

    monkeypatch.setattr(install, "run_checked", record)
    install.ensure_venv_package(install.SECANTUS, tmp_path)
    assert ran[0].startswith("-m venv")
    assert ran[1].endswith("SecantusDB==0.7.0b3")
    assert not (venv / "leftover").exists()
    assert install.read_stamp(venv)["requirement"] == "SecantusDB==0.7.0b3"


def test_missing_zookeeper_without_root_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(install.os, "geteuid", lambda: 1000)
    with pytest.raises(DevStackError, match="apt-get install -y --no-install-recommends zookeeper"):
        install.install_zookeeper(tmp_path / "zookeeper.jar")


def test_clean_env_drops_interpreter_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("VIRTUAL_ENV", "/venv")
    monkeypatch.setenv("KEEP_ME", "1")
    env = install.clean_env()
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env
    assert env["KEEP_ME"] == "1"
