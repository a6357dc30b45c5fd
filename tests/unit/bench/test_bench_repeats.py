"""Several runs combined: every target judged on the median of the runs that measured it."""

from __future__ import annotations

from typing import Any

import pytest

from batchops.bench.repeats import combine, median_targets
from batchops.bench.targets import Target


def run(noop_us: float | None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"errors": errors or {}}
    if noop_us is not None:
        doc["processing"] = {"cpu": {"processes": {"service": {"cpu_us_per_element": noop_us}}}}
    return doc


NOOP = "service CPU per no-op element (µs)"


def noop_target(runs: list[dict[str, Any]]) -> tuple[Target, list[float | None]]:
    return next((target, values) for target, values in median_targets(runs) if target.name == NOOP)


def test_the_median_decides_not_the_luckiest_run() -> None:
    target, values = noop_target([run(140), run(170), run(160)])
    assert values == [140, 170, 160]
    assert target.actual == 160 and target.met is False
    target, _ = noop_target([run(140), run(149), run(190)])
    assert target.actual == 149 and target.met is True


def test_runs_that_did_not_measure_a_target_are_left_out_of_its_median() -> None:
    target, values = noop_target([run(100), run(None), run(200)])
    assert values == [100, None, 200]
    assert target.actual == pytest.approx(150) and target.met is True
    unmeasured, _ = noop_target([run(None), run(None)])
    assert unmeasured.actual is None and unmeasured.met is None


def test_combine_keeps_every_run_names_errors_by_run_and_records_the_spread() -> None:
    runs = [run(140), run(170, {"invocation": "TimeoutError: x"}), run(160)]
    doc = combine({"run_id": "abc"}, runs)
    assert doc["meta"] == {"run_id": "abc", "repeat": 3}
    assert doc["runs"] == runs
    assert doc["errors"] == {"invocation (run 2)": "TimeoutError: x"}
    noop = next(target for target in doc["targets"] if target["name"] == NOOP)
    assert noop["values"] == [140, 170, 160]
    assert (noop["lowest"], noop["actual"], noop["highest"]) == (140, 160, 170)
    assert noop["met"] is False and noop["bound"] == 150 and noop["at_least"] is False
