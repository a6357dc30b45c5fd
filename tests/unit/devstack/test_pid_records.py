from __future__ import annotations

import json
from pathlib import Path

import pytest

from batchops.devstack.processes import PidRecord, live_process, log_tail, read_record, write_record


def test_round_trip(tmp_path: Path) -> None:
    record = PidRecord(
        name="kafka", pid=4242, create_time=1700000000.25, port=9092, argv=("java", "kafka.Kafka")
    )
    path = tmp_path / "pids" / "kafka.json"
    write_record(path, record)
    assert read_record(path) == record
    assert PidRecord.from_json(record.to_json()) == record


def test_integer_create_time_and_missing_argv_are_accepted() -> None:
    text = json.dumps({"name": "mongo", "pid": 7, "create_time": 1700000000, "port": 27017})
    assert PidRecord.from_json(text) == PidRecord("mongo", 7, 1700000000.0, 27017, ())


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"pid": 1, "create_time": 1.0, "port": 1},
        {"name": "x", "pid": "1", "create_time": 1.0, "port": 1},
        {"name": "x", "pid": 0, "create_time": 1.0, "port": 1},
        {"name": "x", "pid": True, "create_time": 1.0, "port": 1},
        {"name": "x", "pid": 1, "create_time": "now", "port": 1},
        {"name": "x", "pid": 1, "create_time": 1.0, "port": 70000},
        {"name": "x", "pid": 1, "create_time": 1.0, "port": 1, "argv": "java kafka.Kafka"},
    ],
)
def test_invalid_records_are_rejected(data: object) -> None:
    with pytest.raises(ValueError):
        PidRecord.from_json(json.dumps(data))


def test_missing_or_corrupt_files_read_as_no_record(tmp_path: Path) -> None:
    assert read_record(tmp_path / "absent.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert read_record(tmp_path / "bad.json") is None


def test_a_reused_pid_is_not_our_process() -> None:
    import os

    import psutil

    me = psutil.Process(os.getpid())
    assert live_process(PidRecord("x", me.pid, me.create_time(), 1)) is not None
    assert live_process(PidRecord("x", me.pid, me.create_time() - 5.0, 1)) is None


def test_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert log_tail(log, lines=3) == "line 97\nline 98\nline 99"
    assert log_tail(tmp_path / "missing.log") == ""
