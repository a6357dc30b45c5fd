"""The printed bench report."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from batchops.bench.report import cpu_stages, cpu_table, figure_rows, fmt_cpu, fmt_number, fmt_ratio, render


def test_formatting_of_numbers_and_ratios() -> None:
    assert fmt_number(12345.678, "el/s") == "12,346 el/s"
    assert fmt_number(1.234, "s", 2) == "1.23 s"
    assert fmt_number(None, "s") == "-"
    assert fmt_ratio(0.456) == "0.46x"
    assert fmt_ratio(None) == "-"


def test_rows_only_for_measured_scenarios() -> None:
    rows = figure_rows({"latency": {"samples": 30, "p50_ms": 120.0, "p95_ms": 300.0}})
    assert {row.scenario for row in rows} == {"latency"}
    assert [row.value for row in rows] == ["30", "120.0 ms", "300.0 ms"]


def test_rss_and_invocation_rows() -> None:
    doc: dict[str, Any] = {
        "rss": {
            "small": {
                "devices": 10_000,
                "peak_rss_mb": 90.0,
                "final_status": "FinishedSuccessfully",
                "finished": True,
            },
            "large": {
                "devices": 1_000_000,
                "peak_rss_mb": 250.0,
                "final_status": "Initializing",
                "finished": False,
            },
            "ratio": 2.78,
        },
        "invocation": {
            "runs": [
                {
                    "devices": 2000,
                    "latency_ms": 5.0,
                    "elements_per_s": 300.0,
                    "succeeded": 1800,
                    "failed": 200,
                }
            ]
        },
    }
    values = [(row.figure, row.value) for row in figure_rows(doc)]
    assert ("peak RSS, 1,000,000 devices", "250.0 MB") in values
    assert ("peak RSS large / small", "2.78x") in values
    assert any(value == "Initializing (stopped at time limit)" for _, value in values)
    assert ("2,000 devices, simulator +5 ms", "300 el/s") in values
    assert ("  succeeded / failed", "1,800 / 200") in values


def test_render_prints_figures_targets_and_errors() -> None:
    console = Console(record=True, width=140)
    render(console, {"latency": {"p50_ms": 600.0}, "errors": {"rss": "TimeoutError: too slow"}})
    text = console.export_text()
    assert "batchops bench" in text
    assert "MISSED" in text
    assert "not measured" in text
    assert "rss failed: TimeoutError: too slow" in text


def _figures(per_1000: float | None, busy: float | None, pid: int | None = 1) -> dict[str, Any]:
    return {"pid": pid, "cpu_s_per_1000_elements": per_1000, "busy_share": busy}


def _cpu(elements: int, **processes: dict[str, Any]) -> dict[str, Any]:
    return {"elements": elements, "wall_seconds": 12.34, "window": "w", "processes": processes}


def test_cpu_cells_show_seconds_per_thousand_and_busy_share() -> None:
    assert fmt_cpu(_figures(0.2384, 0.456)) == "0.238 s, 46%"
    assert fmt_cpu(_figures(4.245, None)) == "4.245 s"
    assert fmt_cpu(_figures(None, None, pid=None)) == "n/a"
    assert fmt_cpu(None) == ""


def test_cpu_stages_in_run_order_with_one_per_invocation_latency() -> None:
    doc: dict[str, Any] = {
        "invocation": {
            "runs": [
                {"latency_ms": 0.0, "cpu": _cpu(5, service=_figures(1.8, 0.9))},
                {"latency_ms": 5.0, "cpu": _cpu(5, service=_figures(2.0, 0.9))},
            ]
        },
        "initialization": {"cpu": _cpu(7, service=_figures(0.06, 0.3))},
        "processing": {"elements": 7},  # an older results document: no CPU figures
    }
    assert [label for label, _ in cpu_stages(doc)] == [
        "initialization",
        "invocation +0 ms",
        "invocation +5 ms",
    ]


def test_cpu_table_has_a_column_per_measured_process() -> None:
    doc: dict[str, Any] = {
        "initialization": {
            "cpu": _cpu(
                20_000,
                service=_figures(0.063, 0.21),
                mongo=_figures(1.044, 0.95),
                kafka=_figures(None, None, pid=None),
            )
        },
        "invocation": {
            "runs": [
                {
                    "latency_ms": 5.0,
                    "cpu": _cpu(
                        5_000,
                        service=_figures(2.004, 0.3),
                        mongo=_figures(6.392, 0.9),
                        kafka=_figures(0.136, 0.02),
                        simulator=_figures(1.908, 0.28),
                    ),
                }
            ]
        },
    }
    console = Console(record=True, width=200)
    table = cpu_table(doc)
    assert table is not None
    assert [column.header for column in table.columns] == [
        "stage",
        "elements",
        "wall",
        "service",
        "MongoDB server",
        "Kafka broker",
        "simulator",
    ]
    console.print(table)
    lines = console.export_text().splitlines()
    init = next(line for line in lines if line.lstrip("│ ").startswith("initialization"))
    assert "20,000" in init and "12.3 s" in init
    assert "0.063 s, 21%" in init and "1.044 s, 95%" in init and "n/a" in init
    invocation = next(line for line in lines if "invocation +5 ms" in line)
    assert "6.392 s, 90%" in invocation and "1.908 s, 28%" in invocation


def test_no_cpu_table_without_cpu_figures_and_render_prints_it_when_there() -> None:
    assert cpu_table({"latency": {"p50_ms": 100.0}}) is None
    console = Console(record=True, width=140)
    render(console, {"latency": {"cpu": _cpu(300, service=_figures(0.5, 0.1))}})
    text = console.export_text()
    assert "CPU per 1,000 elements" in text
    assert "0.500 s, 10%" in text
    assert "process of its own" in " ".join(text.split())
