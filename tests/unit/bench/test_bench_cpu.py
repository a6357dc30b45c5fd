"""CPU per element: the arithmetic, the meter over real (own) processes, and finding server pids."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from batchops.bench.cpu import CpuMeter, tree_cpu_seconds
from batchops.bench.server_pids import host_port, listener_pid, mongo_host_port
from batchops.bench.stats import cpu_figures


def test_cpu_figures_per_thousand_per_element_and_busy_share() -> None:
    figures = cpu_figures(2.5, 10_000, 5.0)
    assert figures["cpu_seconds"] == 2.5
    assert figures["cpu_s_per_1000_elements"] == pytest.approx(0.25)
    assert figures["cpu_us_per_element"] == pytest.approx(250.0)
    assert figures["busy_share"] == pytest.approx(0.5)


def test_cpu_figures_unknown_without_cpu_time_elements_or_wall_time() -> None:
    assert set(cpu_figures(None, 100, 1.0).values()) == {None}
    assert set(cpu_figures(-0.1, 100, 1.0).values()) == {None}  # a pid reused in the window
    no_elements = cpu_figures(1.0, 0, 2.0)
    assert no_elements["cpu_s_per_1000_elements"] is None and no_elements["cpu_us_per_element"] is None
    assert no_elements["busy_share"] == 0.5
    assert cpu_figures(1.0, 10, 0.0)["busy_share"] is None


@pytest.fixture
def busy_child() -> Iterator[int]:
    """A child process that spins in its own child (so the tree, not the pid alone, is busy)."""
    spin = "import time\nend = time.monotonic() + 30\nwhile time.monotonic() < end: pass"
    wrapper = f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {spin!r}])"
    proc = subprocess.Popen([sys.executable, "-c", wrapper])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait(10)


def test_tree_cpu_seconds_counts_descendants(busy_child: int) -> None:
    time.sleep(0.8)
    first = tree_cpu_seconds(busy_child)
    time.sleep(0.5)
    second = tree_cpu_seconds(busy_child)
    assert first is not None and second is not None
    assert second - first > 0.1


def test_tree_cpu_seconds_of_a_missing_process_is_unknown() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(10)
    assert tree_cpu_seconds(proc.pid) is None


def test_meter_reports_each_role_in_order_and_unknown_pids_as_unknown(busy_child: int) -> None:
    meter = CpuMeter({"simulator": None, "mongo": None, "service": busy_child}, "test window").start()
    time.sleep(0.5)
    cpu = meter.stop(1000)
    assert cpu["elements"] == 1000 and cpu["window"] == "test window"
    assert cpu["wall_seconds"] >= 0.5
    assert list(cpu["processes"]) == ["service", "mongo", "simulator"]
    service = cpu["processes"]["service"]
    assert service["pid"] == busy_child
    assert service["cpu_seconds"] > 0 and service["busy_share"] > 0
    assert service["cpu_us_per_element"] == pytest.approx(service["cpu_seconds"] * 1000)
    assert cpu["processes"]["mongo"] == {
        "pid": None,
        "cpu_seconds": None,
        "cpu_s_per_1000_elements": None,
        "cpu_us_per_element": None,
        "busy_share": None,
    }


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:9092", ("127.0.0.1", 9092)),
        ("localhost:2181/chroot", ("localhost", 2181)),
        ("a:9092,b:9092", None),
        ("-", None),
        ("host:port", None),
    ],
)
def test_host_port(address: str, expected: tuple[str, int] | None) -> None:
    assert host_port(address) == expected


def test_mongo_host_port_of_one_node_only() -> None:
    assert mongo_host_port("mongodb://127.0.0.1:27317/?directConnection=true") == ("127.0.0.1", 27317)
    assert mongo_host_port("mongodb://a:1,b:2/?replicaSet=rs") is None
    assert mongo_host_port("not a uri") is None


def test_listener_pid_finds_a_local_listener_and_never_a_remote_one() -> None:
    code = "import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen()\n"
    code += "print(s.getsockname()[1], flush=True)\ntime.sleep(30)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        assert listener_pid(("127.0.0.1", port)) == proc.pid
        assert listener_pid(("db.example.org", port)) is None
        assert listener_pid(None) is None
    finally:
        proc.kill()
        proc.wait(10)
