"""Where the dev stack keeps its files: one state folder (logs, pid records, data, config)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_MARKER = "pyproject.toml"
STATE_DIR_NAME = ".devstack"


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder (``start`` or a parent) holding a pyproject.toml, else ``start`` (CWD)."""
    origin = (start or Path.cwd()).resolve()
    for folder in (origin, *origin.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return origin


def default_state_dir() -> Path:
    """``<project root>/.devstack``."""
    return find_project_root() / STATE_DIR_NAME


@dataclass(frozen=True)
class Layout:
    """Paths below the state folder. Venvs live in ``install_dir`` (default ``<state>/venvs``)."""

    state_dir: Path
    install_dir: Path

    @classmethod
    def create(cls, state_dir: Path, install_dir: Path | None = None) -> Layout:
        state = state_dir.expanduser().absolute()
        installs = install_dir.expanduser().absolute() if install_dir is not None else state / "venvs"
        return cls(state_dir=state, install_dir=installs)

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def pids_dir(self) -> Path:
        return self.state_dir / "pids"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / ".lock"

    @property
    def mongo_data_dir(self) -> Path:
        return self.state_dir / "mongo-data"

    @property
    def mongo_config_file(self) -> Path:
        return self.state_dir / "conf" / "secantusd.toml"

    @property
    def kafka_conf_dir(self) -> Path:
        return self.state_dir / "conf" / "kafka"

    @property
    def kafka_data_dir(self) -> Path:
        return self.state_dir / "kafka-data"

    @property
    def zk_conf_dir(self) -> Path:
        return self.state_dir / "conf" / "zookeeper"

    @property
    def zk_data_dir(self) -> Path:
        return self.state_dir / "zookeeper-data"

    def log_file(self, name: str) -> Path:
        return self.logs_dir / f"{name}.log"

    def pid_file(self, name: str) -> Path:
        return self.pids_dir / f"{name}.json"

    def venv_dir(self, name: str) -> Path:
        return self.install_dir / name

    def ensure(self) -> None:
        for folder in (self.logs_dir, self.pids_dir, self.install_dir):
            folder.mkdir(parents=True, exist_ok=True)
