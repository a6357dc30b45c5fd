"""docker-compose.yml: valid against the Compose Specification schema, and wired the way the stack needs.

The schema is the compose-spec JSON schema vendored in PyPI ``check-jsonschema``
(``check_jsonschema/builtin_schemas/vendor/compose-spec.json``), validated with ``jsonschema``: no network.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from batchops.devstack.kafka import KAFKA_VERSION

jsonschema = pytest.importorskip("jsonschema", reason="needs the dev extra (jsonschema)")

REPO_ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
SCHEMA_PACKAGE = "check_jsonschema.builtin_schemas.vendor"
SCHEMA_NAME = "compose-spec.json"

SERVICE_IMAGE_USERS = ("batchops", "simulator", "bootstrap")
# Compose runs the same Kafka major.minor as development and the tests (the dev stack's pin).
_KAFKA_MAJOR_MINOR = ".".join(KAFKA_VERSION.split(".")[:2])
INFRA_IMAGES = {
    "zookeeper": "zookeeper:3.8",
    "kafka": f"apache/kafka:{_KAFKA_MAJOR_MINOR}.",
    "mongodb": "mongo:7",
}

_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")


def _load() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(doc, dict)
    return doc


def _schema() -> dict[str, Any]:
    try:
        resource = importlib.resources.files(SCHEMA_PACKAGE) / SCHEMA_NAME
        schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    except ModuleNotFoundError:
        pytest.skip("needs the dev extra (check-jsonschema vendors the compose-spec schema)")
    return schema


def _resolve(value: object) -> str:
    """A compose value with ``${VAR:-default}`` replaced by its default, as with an empty environment."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _load()["services"]
    return services


def _env(service: str) -> dict[str, str | None]:
    """Environment with interpolation defaults applied; None for pass-through (value-less) variables."""
    raw = _services()[service].get("environment", {})
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    return {str(k): None if v is None else _resolve(v) for k, v in raw.items()}


def _depends_on(service: str) -> dict[str, str]:
    deps = _services()[service].get("depends_on", {})
    assert isinstance(deps, dict), f"{service}: depends_on must use the long form with conditions"
    return {name: spec["condition"] for name, spec in deps.items()}


def test_valid_against_compose_specification_schema() -> None:
    schema = _schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(_load()), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_schema_rejects_a_broken_file() -> None:
    """Guards against a schema that accepts anything."""
    schema = _schema()
    broken = _load()
    broken["services"]["batchops"]["depends_on"]["kafka"]["condition"] = "service_ready"
    broken["services"]["batchops"]["portz"] = ["9000:9000"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert len(list(validator.iter_errors(broken))) >= 2


def test_services_present_with_official_infrastructure_images() -> None:
    services = _services()
    assert set(services) == {*INFRA_IMAGES, *SERVICE_IMAGE_USERS}
    for name, image in INFRA_IMAGES.items():
        assert _resolve(services[name]["image"]).startswith(image), name


def test_service_simulator_and_bootstrap_share_the_locally_built_image() -> None:
    services = _services()
    images = {_resolve(services[name]["image"]) for name in SERVICE_IMAGE_USERS}
    assert len(images) == 1
    for name in SERVICE_IMAGE_USERS:
        build = services[name]["build"]
        context = build if isinstance(build, str) else build.get("context", ".")
        assert context == ".", name
    assert services["batchops"]["command"] == ["serve"]


def test_only_the_service_api_and_metrics_ports_are_published() -> None:
    services = _services()
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"batchops"}
    targets = {int(_resolve(p).rsplit(":", 1)[1]) for p in services["batchops"]["ports"]}
    assert targets == {9000, 9090}
    # Authentication is off by default: published on the host's loopback only (issue 12, item 8).
    assert {_resolve(p).split(":", 1)[0] for p in services["batchops"]["ports"]} == {"127.0.0.1"}


def test_service_environment_points_at_the_compose_services() -> None:
    services = _services()
    env = _env("batchops")
    assert all(k.startswith("BATCHOPS_") for k in env)
    kafka_host, _, kafka_port = str(env["BATCHOPS_KAFKA_BOOTSTRAP_SERVERS"]).partition(":")
    assert kafka_host == "kafka" and kafka_port == "9092"
    assert "PLAINTEXT://kafka:9092" in services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert urlsplit(str(env["BATCHOPS_MONGODB_URI"])).netloc == "mongodb:27017"
    assert env["BATCHOPS_ZOOKEEPER_HOSTS"] == "zookeeper:2181"
    sim_port = services["simulator"]["command"][services["simulator"]["command"].index("--port") + 1]
    assert env["BATCHOPS_DEVICE_MANAGEMENT_ADDRESS"] == f"simulator:{sim_port}"
    assert env["BATCHOPS_EVENT_MANAGEMENT_ADDRESS"] == f"simulator:{sim_port}"
    assert env["BATCHOPS_GRPC_PORT"] == "9000" and env["BATCHOPS_METRICS_PORT"] == "9090"
    assert env["BATCHOPS_PRODUCT_ID"] == "sitewhere" and env["BATCHOPS_INSTANCE_ID"] == "sitewhere1"
    assert env["BATCHOPS_KAFKA_TOPIC_REPLICATION"] == "1", "single broker"
    json.loads(str(env["BATCHOPS_KAFKA_OVERRIDES"]))
    assert env["BATCHOPS_AUTH_ENABLED"] in {"true", "false"}
    # In its container the API listens on the compose network: with auth off, an explicit consent.
    assert env["BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE"] == "true"
    # key material is never written into the file: only passed through from the caller's environment
    assert env["BATCHOPS_AUTH_JWT_SECRET"] is None and env["BATCHOPS_AUTH_JWT_PUBLIC_KEY"] is None
    # TLS files are passed through from the caller's environment, never set in the file.
    for name in ("CERT_FILE", "KEY_FILE", "CLIENT_CA_FILE"):
        assert env[f"BATCHOPS_GRPC_TLS_{name}"] is None
    assert env["BATCHOPS_GRPC_HEALTH_PORT"] is None
    # ZooKeeper credentials likewise (the bootstrap job shares this environment).
    assert env["BATCHOPS_ZOOKEEPER_AUTH_USERNAME"] is None and env["BATCHOPS_ZOOKEEPER_AUTH_PASSWORD"] is None


def test_simulator_command() -> None:
    command = _services()["simulator"]["command"]
    assert command[0] == "simulate"
    assert _resolve(command[command.index("--devices") + 1]).isdigit()
    assert command[command.index("--seed") + 1] == "1"


def test_bootstrap_job_waits_for_zookeeper_with_the_service_settings() -> None:
    job = _services()["bootstrap"]
    assert job["entrypoint"] == ["/bin/sh", "-c"]
    assert _depends_on("bootstrap") == {"zookeeper": "service_healthy"}
    assert job.get("restart") == "no"
    env = _env("bootstrap")
    assert env["BATCHOPS_DEMO_TENANT"] == "demo"
    for key in ("BATCHOPS_ZOOKEEPER_HOSTS", "BATCHOPS_INSTANCE_ID"):
        assert env[key] == _env("batchops")[key], f"{key}: same ZooKeeper root as the service"


FAKE_BATCHOPS = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$1 $2" in
  "tenants list") cat "$EXISTING" ;;
  "tenants add") exit "$ADD_STATUS" ;;
esac
"""


def _run_bootstrap(tmp_path: Path, existing: list[str], add_status: int = 0) -> tuple[int, list[str]]:
    """Runs the job's shell script with a fake ``batchops`` that records its arguments."""
    script = _services()["bootstrap"]["command"][0].replace("$$", "$")  # compose's escape for a literal $
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "batchops"
    fake.write_text(FAKE_BATCHOPS)
    fake.chmod(0o755)
    (bin_dir / "python").symlink_to(sys.executable)
    tenants = tmp_path / "tenants.json"
    tenants.write_text(json.dumps([{"tenantId": t, "configured": True} for t in existing]))
    calls = tmp_path / "calls"
    calls.touch()
    env = {
        **{k: str(v) for k, v in _env("bootstrap").items() if v is not None},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "CALLS": str(calls),
        "EXISTING": str(tenants),
        "ADD_STATUS": str(add_status),
    }
    proc = subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, timeout=60, check=False)
    return proc.returncode, calls.read_text().splitlines()


def test_bootstrap_adds_the_demo_tenant_idempotently(tmp_path: Path) -> None:
    # `--if-not-exists` makes a later `up` (ZooKeeper data kept) succeed without changes.
    status, calls = _run_bootstrap(tmp_path, existing=["other"])
    assert status == 0
    assert calls[-1] == "tenants add demo --if-not-exists --zk-timeout 60"


def test_bootstrap_fails_when_the_tenant_cannot_be_added(tmp_path: Path) -> None:
    status, _ = _run_bootstrap(tmp_path, existing=[], add_status=1)
    assert status == 1


def test_service_starts_after_its_dependencies_are_healthy_and_the_tenant_exists() -> None:
    assert _depends_on("batchops") == {
        "zookeeper": "service_healthy",
        "kafka": "service_healthy",
        "mongodb": "service_healthy",
        "simulator": "service_healthy",
        "bootstrap": "service_completed_successfully",
    }


def test_every_awaited_service_has_a_healthcheck() -> None:
    services = _services()
    for name in services:
        for dep, condition in _depends_on(name).items():
            if condition == "service_healthy":
                check = services[dep].get("healthcheck", {})
                assert check.get("test") and not check.get("disable"), f"{name} waits on {dep}'s health"
    service_check = services["batchops"]["healthcheck"]["test"]
    assert service_check[:3] == ["CMD", "python", "-c"]
    compile(service_check[3], "<healthcheck>", "exec")
    assert "HealthStub" in service_check[3] and "SERVING" in service_check[3]


def test_compose_waits_longer_than_the_shutdown_bound() -> None:
    """Issue 14: the service exits within BATCHOPS_SHUTDOWN_GRACE_SECONDS + 5 s of SIGTERM."""
    grace = float(_env("batchops")["BATCHOPS_SHUTDOWN_GRACE_SECONDS"] or "nan")
    stop_grace = str(_services()["batchops"]["stop_grace_period"])
    assert stop_grace.endswith("s")
    assert float(stop_grace.removesuffix("s")) >= grace + 5
