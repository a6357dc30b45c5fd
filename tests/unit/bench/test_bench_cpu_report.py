"""The printed CPU table."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from batchops.bench.cpu_report import cpu_cells, cpu_stages, cpu_table
from batchops.bench.report import render
from batchops.bench.stats import cpu_figures


def _figures(cpu_seconds: float | None, elements: int = 1000, wall: float = 10.0) -> dict[str, Any]:
    return {"pid": None if cpu_seconds is None else 1, **cpu_figures(cpu_seconds, elements, wall)}


def _cpu(elements: int, wall: float = 12.34, **cpu_seconds: float | None) -> dict[str, Any]:
    processes = {role: _figures(value, elements, wall) for role, value in cpu_seconds.items()}
    return {"elements": elements, "wall_seconds": wall, "window": "w", "processes": processes}


def test_cells_show_seconds_per_thousand_microseconds_per_element_and_busy_share() -> None:
    assert cpu_cells(_figures(0.2384, elements=1000, wall=0.5)) == ("0.238 s", "238 µs", "48%")
    assert cpu_cells(_figures(4.245, elements=1000)) == ("4.245 s", "4,245 µs", "42%")
    assert cpu_cells(_figures(None)) == ("n/a", "n/a", "n/a")


def test_stages_in_run_order_with_one_per_invocation_latency() -> None:
    doc: dict[str, Any] = {
        "invocation": {
            "runs": [
                {"latency_ms": 0.0, "cpu": _cpu(5, service=1.0), "processing_cpu": _cpu(4, service=0.8)},
                {"latency_ms": 5.0, "cpu": _cpu(5, service=1.0)},  # older results: no processing window
            ]
        },
        "initialization": {"cpu": _cpu(7, service=1.0)},
        "processing": {"elements": 7},  # an older results document: no CPU figures
    }
    assert [label for label, _ in cpu_stages(doc)] == [
        "initialization",
        "invocation +0 ms",
        "invocation +0 ms, after Initialized*",
        "invocation +5 ms",
    ]


def _lines(doc: dict[str, Any]) -> list[str]:
    table = cpu_table(doc)
    assert table is not None
    console = Console(record=True, width=120)
    console.print(table)
    return console.export_text().splitlines()


def _row(lines: list[str], *parts: str) -> str:
    return next(line for line in lines if all(part in line for part in parts))


def test_table_has_a_row_per_process_of_each_stage_and_n_a_for_unknown_ones() -> None:
    doc: dict[str, Any] = {
        "initialization": {"cpu": _cpu(20_000, wall=10.0, service=1.26, mongo=20.88, kafka=None)},
        "invocation": {
            "runs": [{"latency_ms": 5.0, "cpu": _cpu(5_000, wall=40.0, service=10.02, simulator=9.54)}]
        },
    }
    lines = _lines(doc)
    assert "initialization" in _row(lines, "service", "0.063 s", "63 µs", "13%")
    assert "20,000 el in 10.0 s" in _row(lines, "MongoDB server", "1.044 s", "1,044 µs", "209%")
    assert _row(lines, "Kafka broker").count("n/a") == 3
    assert "invocation +5 ms" in _row(lines, "service", "2.004 s", "2,004 µs", "25%")
    assert "5,000 el in 40.0 s" in _row(lines, "simulator", "1.908 s", "1,908 µs", "24%")
    assert not any("ZooKeeper" in line for line in lines)  # not measured in these stages


def test_no_table_without_cpu_figures_and_render_prints_it_when_there() -> None:
    assert cpu_table({"latency": {"p50_ms": 100.0}}) is None
    console = Console(record=True, width=140)
    render(console, {"latency": {"cpu": _cpu(300, wall=5.0, service=0.15)}})
    text = console.export_text()
    assert "CPU per element" in text
    assert "0.500 s" in text and "500 µs" in text and "3%" in text
    assert "process of its own" in " ".join(text.split())
