"""The printed bench report."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from batchops.bench.report import figure_rows, fmt_number, fmt_ratio, render


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
