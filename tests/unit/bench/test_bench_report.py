"""The printed bench report."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from batchops.bench.repeats import combine
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
                    "cpu": {"processes": {"service": {"cpu_us_per_element": 1100.0}}},
                    "call_floor": {"cpu_us_per_element": 700.0, "cpu_us_per_call": 350.0},
                },
                {"devices": 2000, "latency_ms": 0.0, "elements_per_s": 310.0, "call_floor": None},
                {"devices": 500, "latency_ms": 0.0, "call_floor": {"error": "ServiceUnavailable: ..."}},
            ]
        },
    }
    values = [(row.figure, row.value) for row in figure_rows(doc)]
    assert ("  client CPU of its two calls alone", "700 µs (350 µs a call)") in values
    assert ("  service CPU per element beyond them", "400 µs") in values
    # A run without a floor has neither row; one whose floor failed says so, without a figure.
    assert [value for figure, value in values if figure == "  client CPU of its two calls alone"] == [
        "700 µs (350 µs a call)",
        "failed (see the JSON)",
    ]
    assert sum(figure == "  service CPU per element beyond them" for figure, _ in values) == 1
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


def test_render_of_several_runs_prints_each_run_and_the_medians() -> None:
    def run(noop_us: float) -> dict[str, Any]:
        cpu = {"processes": {"service": {"cpu_us_per_element": noop_us}}}
        return {"processing": {"elements_per_s": 300.0, "cpu": cpu}, "errors": {}}

    doc = combine({"run_id": "abc"}, [run(140.0), run(170.0), run(160.0)])
    console = Console(record=True, width=200)
    render(console, doc)
    text = console.export_text()
    assert "run 1 of 3" in text and "run 3 of 3" in text
    assert "targets, median of 3 runs" in text
    row = next(line for line in text.splitlines() if "service CPU per no-op element" in line)
    assert "140.00" in row and "170.00" in row and "160.00" in row and "MISSED" in row
