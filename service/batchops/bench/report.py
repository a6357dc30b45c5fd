"""The printed report: one table of figures and one of targets, built from the results document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from batchops.bench.cpu_report import cpu_table
from batchops.bench.targets import cpu_us, evaluate

Results = Mapping[str, Any]


@dataclass(frozen=True)
class Row:
    scenario: str
    figure: str
    value: str


def fmt_number(value: Any, unit: str = "", digits: int = 0) -> str:
    if not isinstance(value, int | float):
        return "-"
    text = f"{value:,.{digits}f}"
    return f"{text} {unit}".rstrip()


def fmt_ratio(value: Any) -> str:
    return f"{value:.2f}x" if isinstance(value, int | float) else "-"


_Spec = tuple[str, str, Callable[[Any], str]]

_CEILINGS: list[_Spec] = [
    ("mongo_insert_many_docs_per_s", "(a) pymongo insert_many", lambda v: fmt_number(v, "docs/s")),
    ("kafka_produce_records_per_s", "(b) Kafka produce, acks=all", lambda v: fmt_number(v, "rec/s")),
    ("kafka_consume_records_per_s", "(c) Kafka consume (group)", lambda v: fmt_number(v, "rec/s")),
    ("mongo_update_many_docs_per_s", "update_many $in (claim-like)", lambda v: fmt_number(v, "docs/s")),
    ("mongo_bulk_update_one_docs_per_s", "bulk UpdateOne (result-like)", lambda v: fmt_number(v, "docs/s")),
]
_INIT: list[_Spec] = [
    ("elements", "elements", fmt_number),
    ("create_seconds", "create RPC (targets stored)", lambda v: fmt_number(v, "s", 2)),
    ("seconds", "Initializing -> Initialized*", lambda v: fmt_number(v, "s", 2)),
    ("elements_per_s", "throughput", lambda v: fmt_number(v, "el/s")),
    ("ratio_vs_insert_ceiling", "vs insert_many ceiling (a)", fmt_ratio),
]
_PROCESSING: list[_Spec] = [
    ("elements", "elements", fmt_number),
    ("init_elements_per_s", "its initialization", lambda v: fmt_number(v, "el/s")),
    ("seconds", "released -> Finished*", lambda v: fmt_number(v, "s", 2)),
    ("elements_per_s", "throughput", lambda v: fmt_number(v, "el/s")),
    ("ratio_vs_lowest_ceiling", "vs min(a, b, c)", fmt_ratio),
    ("ratio_vs_update_ceiling", "vs min(update ceilings)", fmt_ratio),
    ("two_updates_bound_elements_per_s", "two-updates bound", lambda v: fmt_number(v, "el/s")),
    ("ratio_vs_two_updates_bound", "vs two-updates bound", fmt_ratio),
]
_LATENCY: list[_Spec] = [
    ("samples", "samples (10 devices each)", fmt_number),
    ("p50_ms", "p50 createdDate -> endedDate", lambda v: fmt_number(v, "ms", 1)),
    ("p95_ms", "p95 createdDate -> endedDate", lambda v: fmt_number(v, "ms", 1)),
    ("observed_p50_ms", "p50 client create -> seen finished", lambda v: fmt_number(v, "ms", 1)),
    ("observed_p95_ms", "p95 client create -> seen finished", lambda v: fmt_number(v, "ms", 1)),
]


def _rows(scenario: str, section: Mapping[str, Any] | None, specs: list[_Spec]) -> list[Row]:
    if not section:
        return []
    return [Row(scenario, label, show(section.get(key))) for key, label, show in specs if key in section]


def _rss_rows(section: Mapping[str, Any] | None) -> list[Row]:
    if not section:
        return []
    rows: list[Row] = []
    for size in ("small", "large"):
        run = section.get(size) or {}
        if not run:
            continue
        label = f"{fmt_number(run.get('devices'))} devices"
        rows.append(Row("rss", f"peak RSS, {label}", fmt_number(run.get("peak_rss_mb"), "MB", 1)))
        rows.append(Row("rss", "  idle RSS before create", fmt_number(run.get("baseline_rss_mb"), "MB", 1)))
        status = run.get("final_status", "?")
        if not run.get("finished", False):
            status += " (stopped at time limit)"
        rows.append(Row("rss", f"  reached in {fmt_number(run.get('seconds'), 's', 1)}", status))
    rows.append(Row("rss", "peak RSS large / small", fmt_ratio(section.get("ratio"))))
    return rows


def _invocation_rows(section: Mapping[str, Any] | None) -> list[Row]:
    if not section:
        return []
    rows = []
    for run in section.get("runs", []):
        label = f"{fmt_number(run.get('devices'))} devices, simulator +{fmt_number(run.get('latency_ms'))} ms"
        rows.append(Row("invocation", label, fmt_number(run.get("elements_per_s"), "el/s")))
        rows.append(
            Row(
                "invocation",
                "  succeeded / failed",
                f"{fmt_number(run.get('succeeded'))} / {fmt_number(run.get('failed'))}",
            )
        )
        rows += _floor_rows(run)
    return rows


def _floor_rows(run: Mapping[str, Any]) -> list[Row]:
    """The two calls' client CPU alone, and the service's CPU per element beyond it."""
    floor = run.get("call_floor")
    if not floor:
        return []
    if "error" in floor:
        return [Row("invocation", "  client CPU of its two calls alone", "failed (see the JSON)")]
    per_element = floor.get("cpu_us_per_element")
    calls = f"{fmt_number(per_element, 'µs')} ({fmt_number(floor.get('cpu_us_per_call'), 'µs')} a call)"
    spent = cpu_us(run.get("cpu"), "service")
    known = isinstance(spent, int | float) and isinstance(per_element, int | float)
    beyond = spent - per_element if known else None
    return [
        Row("invocation", "  client CPU of its two calls alone", calls),
        Row("invocation", "  service CPU per element beyond them", fmt_number(beyond, "µs")),
    ]


def figure_rows(results: Results) -> list[Row]:
    return [
        *_rows("ceilings", results.get("ceilings"), _CEILINGS),
        *_rows("initialization", results.get("initialization"), _INIT),
        *_rows("processing", results.get("processing"), _PROCESSING),
        *_rows("latency", results.get("latency"), _LATENCY),
        *_rss_rows(results.get("rss")),
        *_invocation_rows(results.get("invocation")),
    ]


def _verdict(met: bool | None) -> str:
    if met is None:
        return "not measured"
    return "[green]met[/green]" if met else "[red]MISSED[/red]"


def figures_table(results: Results) -> Table:
    table = Table(title="batchops bench", title_justify="left")
    table.add_column("scenario", style="bold")
    table.add_column("figure")
    table.add_column("value", justify="right")
    previous = ""
    for row in figure_rows(results):
        table.add_row(row.scenario if row.scenario != previous else "", row.figure, row.value)
        previous = row.scenario
    return table


def targets_table(results: Results) -> Table:
    table = Table(title="targets", title_justify="left")
    table.add_column("target")
    table.add_column("wanted", justify="right")
    table.add_column("actual", justify="right")
    table.add_column("verdict")
    for target in evaluate(results):
        actual = "-" if target.actual is None else f"{target.actual:,.2f}"
        table.add_row(target.name, target.wanted, actual, _verdict(target.met))
    return table


def repeats_table(results: Results) -> Table:
    """Each target's value in every run, its median and the verdict on the median."""
    targets = results.get("targets") or []
    runs = max((len(target.get("values") or []) for target in targets), default=0)
    table = Table(title=f"targets, median of {runs} runs", title_justify="left")
    table.add_column("target")
    table.add_column("wanted", justify="right")
    for number in range(1, runs + 1):
        table.add_column(f"run {number}", justify="right")
    table.add_column("median", justify="right")
    table.add_column("verdict")
    for target in targets:
        values = [fmt_number(value, digits=2) for value in target.get("values") or []]
        median = fmt_number(target.get("actual"), digits=2)
        table.add_row(target["name"], target["wanted"], *values, median, _verdict(target.get("met")))
    return table


def render(console: Console, results: Results) -> None:
    """The figures of every run, then the targets (of the one run, or judged on the medians)."""
    runs = results.get("runs")
    if runs:
        for number, run in enumerate(runs, start=1):
            console.print(f"[bold]run {number} of {len(runs)}[/bold]")
            _render_figures(console, run)
        console.print(repeats_table(results))
    else:
        _render_figures(console, results)
        console.print(targets_table(results))
    for scenario, error in (results.get("errors") or {}).items():
        console.print(f"[red]{scenario} failed:[/red] {error}")


def _render_figures(console: Console, results: Results) -> None:
    console.print(figures_table(results))
    cpu = cpu_table(results)
    if cpu is not None:
        console.print(cpu)
