"""Install what the servers need, idempotently: pinned wheels into private venvs, ZooKeeper via apt."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from batchops.devstack import zookeeper
from batchops.devstack.errors import DevStackError
from batchops.devstack.locking import file_lock

STAMP_NAME = ".batchops-devstack.json"


@dataclass(frozen=True)
class VenvPackage:
    """A pinned PyPI distribution installed into its own venv ``<install_dir>/<venv_name>``."""

    venv_name: str
    distribution: str
    version: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"


SECANTUS = VenvPackage(venv_name="secantus", distribution="SecantusDB", version="0.7.0b3")


def clean_env() -> dict[str, str]:
    """The current environment without variables that would leak this interpreter into a child one."""
    drop = {
        "PYTHONPATH",
        "PYTHONHOME",
        "VIRTUAL_ENV",
        "PYTHONSTARTUP",
        "PYTHONUSERBASE",
        "__PYVENV_LAUNCHER__",
    }
    return {key: value for key, value in os.environ.items() if key not in drop}


def run_checked(
    argv: Sequence[str], what: str, timeout: float = 600.0, env_extra: dict[str, str] | None = None
) -> str:
    """Run a command; on failure raise DevStackError with the tail of its output."""
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**clean_env(), **(env_extra or {})},
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DevStackError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise DevStackError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def read_stamp(venv: Path) -> dict[str, str]:
    try:
        data = json.loads((venv / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items()}


def ensure_venv_package(package: VenvPackage, install_dir: Path, extra: dict[str, str] | None = None) -> Path:
    """Make ``<install_dir>/<venv>`` hold exactly ``package`` (skipped if its stamp says so)."""
    venv = install_dir / package.venv_name
    if read_stamp(venv).get("requirement") == package.requirement:
        return venv
    with file_lock(install_dir / f".{package.venv_name}.lock"):
        if read_stamp(venv).get("requirement") == package.requirement:
            return venv  # another process installed it while we waited
        if venv.exists():
            shutil.rmtree(venv)
        run_checked([sys.executable, "-m", "venv", str(venv)], f"creating the venv {venv}")
        python = str(venv / "bin" / "python")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
        run_checked([*pip, package.requirement], f"pip install {package.requirement} into {venv}")
        stamp = {"requirement": package.requirement, **(extra or {})}
        (venv / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n")
    return venv


def install_secantus(install_dir: Path) -> Path:
    """The ``secantusd-py`` entry point of SecantusDB (installed if missing)."""
    venv = ensure_venv_package(SECANTUS, install_dir)
    script = venv / "bin" / "secantusd-py"
    if not script.is_file():
        raise DevStackError(f"{SECANTUS.requirement} is installed in {venv} but has no secantusd-py script")
    return script


def find_java() -> str:
    """The machine's ``java`` executable."""
    candidates = [shutil.which("java"), "/usr/lib/jvm/default-java/bin/java"]
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidates.insert(0, str(Path(java_home) / "bin" / "java"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise DevStackError(
        "Apache Kafka and ZooKeeper need Java 17+, and no `java` was found: install a JRE "
        "(e.g. `apt-get install -y --no-install-recommends openjdk-17-jre-headless`) or set JAVA_HOME"
    )


def install_zookeeper(jar: Path = zookeeper.ZOOKEEPER_JAR) -> Path:
    """Ensure the Debian ``zookeeper`` package's jar exists, apt-installing it when root."""
    if jar.is_file():
        return jar
    hint = "`apt-get update && apt-get install -y --no-install-recommends zookeeper`"
    if os.geteuid() != 0:
        raise DevStackError(f"ZooKeeper is not installed ({jar} is missing); as root run {hint}")
    apt = shutil.which("apt-get")
    if apt is None:
        raise DevStackError(
            f"ZooKeeper is not installed ({jar} is missing) and there is no apt-get; need {hint}"
        )
    noninteractive = {"DEBIAN_FRONTEND": "noninteractive"}
    run_checked([apt, "update"], "apt-get update", env_extra=noninteractive)
    run_checked(
        [apt, "install", "-y", "--no-install-recommends", "zookeeper"],
        "apt-get install zookeeper",
        env_extra=noninteractive,
    )
    if not jar.is_file():
        raise DevStackError(f"apt-get installed zookeeper but {jar} is still missing")
    return jar
