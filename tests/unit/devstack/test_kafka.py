"""Apache Kafka for the dev stack: configuration, Java checks, Maven fetch and one-time formatting."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from batchops.devstack import DevStackError, kafka


def test_server_properties_make_one_loopback_kraft_node(tmp_path: Path) -> None:
    text = kafka.render_server_properties(tmp_path / "logs", 19092, 19093)
    props = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert props["log.dirs"] == str(tmp_path / "logs")
    for name in ("offsets.topic.replication.factor", "transaction.state.log.replication.factor"):
        assert props[name] == "1"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert int(props["message.max.bytes"]) >= 12 * 1024 * 1024  # a 1,000,000-token operations record


def test_cluster_ids_are_22_url_safe_characters() -> None:
    ids = {kafka.new_cluster_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", cid) for cid in ids)


def test_cluster_ids_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # A first byte of 0xF8 encodes to "-", which kafka-storage's argument parser takes for an option
    # (CI failed on it once in 64 runs); Kafka's own Uuid.randomUuid() draws again in that case.
    drawn = iter([uuid.UUID(bytes=b"\xf8" + bytes(15)), uuid.UUID(bytes=b"\x01" * 16)])
    monkeypatch.setattr(kafka.uuid, "uuid4", lambda: next(drawn))
    cid = kafka.new_cluster_id()
    assert not cid.startswith("-")
    assert cid == "AQEBAQEBAQEBAQEBAQEBAQ"


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_392"', 8),
        ("no version here", None),
    ],
)
def test_java_major_version_is_parsed(text: str, major: int | None) -> None:
    assert kafka.parse_java_major(text) == major


def test_old_java_is_refused_with_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_run(argv: Sequence[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(list(argv), 0, "", 'openjdk version "11.0.2" 2019-01-15')

    monkeypatch.setattr(kafka.subprocess, "run", fake_run)
    with pytest.raises(DevStackError, match=r"needs Java 17 or newer.*Java 11.*apt-get install"):
        kafka.java_major("/usr/bin/java")


def test_missing_maven_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kafka, "java_major", lambda java=None: 17)
    monkeypatch.setattr(kafka.shutil, "which", lambda name: None)
    with pytest.raises(
        DevStackError, match=r"no `mvn` was found.*apt-get install -y --no-install-recommends maven"
    ):
        kafka.install_kafka(tmp_path)


def test_a_failed_fetch_says_maven_central_and_leaves_no_stamp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kafka, "java_major", lambda java=None: 17)
    monkeypatch.setattr(kafka.shutil, "which", lambda name: "/usr/bin/mvn")

    def failing(argv: Sequence[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(list(argv), 1, "[ERROR] Could not resolve dependencies", "")

    monkeypatch.setattr(kafka.subprocess, "run", failing)
    with pytest.raises(DevStackError, match=r"fetching org.apache.kafka:kafka_2.13:.*Maven Central"):
        kafka.install_kafka(tmp_path)
    assert not (kafka.runtime_dir(tmp_path) / kafka.STAMP_NAME).exists()


def test_a_complete_runtime_runs_no_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = kafka.runtime_dir(tmp_path)
    home.mkdir(parents=True)
    (home / kafka.STAMP_NAME).write_text(kafka.ARTIFACT)

    def no_commands(*_args: Any, **_kw: Any) -> None:
        raise AssertionError("Maven must not run for a complete runtime")

    monkeypatch.setattr(kafka.subprocess, "run", no_commands)
    assert kafka.install_kafka(tmp_path) == home / "libs"


def test_formatting_happens_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(argv: Sequence[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        calls.append(list(argv))
        (tmp_path / "data" / "meta.properties").write_text("cluster.id=x\n")
        return subprocess.CompletedProcess(list(argv), 0, "", "")

    monkeypatch.setattr(kafka.subprocess, "run", fake_run)
    properties = kafka.write_config(tmp_path / "conf", tmp_path / "data", 1, 2)
    kafka.format_storage("java", tmp_path / "libs", properties, tmp_path / "data")
    kafka.format_storage("java", tmp_path / "libs", properties, tmp_path / "data")
    assert len(calls) == 1
    assert calls[0][calls[0].index("--config") + 1] == str(properties)
    assert "--standalone" in calls[0]
