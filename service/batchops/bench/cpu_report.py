"""The printed CPU table: per stage, each process's CPU per element and busy share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from batchops.bench.cpu import ROLES

ROLE_TITLES = {
    "service": "service",
    "mongo": "MongoDB server",
    "kafka": "Kafka broker",
    "zookeeper": "ZooKeeper",
    "simulator": "simulator",
}
CPU_FOOTNOTE = (
    "CPU seconds (user + system, children included) of each process over the stage's window, "
    "per 1,000 elements and per element, and the share of the window's wall time it was busy "
    "(100% = one core). The service runs in a process of its own. A server's figure counts all "
    "its work: the bench's status polling (50 ms; 10 ms in latency) and, on given servers, other "
    "clients'. latency: 10-device operations one after another, so idle and per-operation costs "
    "fall on few elements. n/a: the process is not known on this host."
)
_SECTIONS = (("initialization", "initialization"), ("processing", "processing"), ("latency", "latency"))


def cpu_stages(results: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(stage label, its ``cpu`` mapping) for every stage measured with CPU times, in run order."""
    stages = [(label, (results.get(section) or {}).get("cpu")) for section, label in _SECTIONS]
    for run in (results.get("invocation") or {}).get("runs", []):
        latency = run.get("latency_ms")
        label = f"invocation +{latency:g} ms" if isinstance(latency, int | float) else "invocation"
        stages.append((label, run.get("cpu")))
        # The same run without its initialization, to set against the no-op processing stage.
        stages.append((f"{label}, after Initialized*", run.get("processing_cpu")))
    return [(label, cpu) for label, cpu in stages if cpu]


def cpu_cells(figures: Mapping[str, Any]) -> tuple[str, str, str]:
    """CPU s per 1,000 elements, µs per element, busy share; "n/a" where unknown."""
    per_1000 = figures.get("cpu_s_per_1000_elements")
    per_element = figures.get("cpu_us_per_element")
    busy = figures.get("busy_share")
    return (
        f"{per_1000:,.3f} s" if isinstance(per_1000, int | float) else "n/a",
        f"{per_element:,.0f} µs" if isinstance(per_element, int | float) else "n/a",
        f"{busy:.0%}" if isinstance(busy, int | float) else "n/a",
    )


def _stage_lines(label: str, cpu: Mapping[str, Any]) -> list[str]:
    elements, wall = cpu.get("elements"), cpu.get("wall_seconds")
    if not isinstance(elements, int | float) or not isinstance(wall, int | float):
        return [label]
    return [label, f"{elements:,.0f} el in {wall:,.1f} s"]


def cpu_table(results: Mapping[str, Any]) -> Table | None:
    stages = cpu_stages(results)
    if not stages:
        return None
    table = Table(title="CPU per element (process CPU times)", title_justify="left", caption=CPU_FOOTNOTE)
    table.caption_justify = "left"
    table.add_column("stage", style="bold")
    table.add_column("process")
    table.add_column("CPU s / 1,000 el", justify="right")
    table.add_column("per element", justify="right")
    table.add_column("busy", justify="right")
    for number, (label, cpu) in enumerate(stages):
        processes = cpu.get("processes") or {}
        stage_lines = _stage_lines(label, cpu)
        roles = [role for role in ROLES if role in processes]
        for index, role in enumerate(roles):
            stage = stage_lines[index] if index < len(stage_lines) else ""
            last = index == len(roles) - 1 and number < len(stages) - 1
            table.add_row(stage, ROLE_TITLES[role], *cpu_cells(processes[role]), end_section=last)
    return table
