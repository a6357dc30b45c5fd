"""Bench targets and ratios, computed from a results document."""

from __future__ import annotations

from typing import Any

import pytest

from batchops.bench.targets import add_ratios, evaluate, lowest_ceiling


def results() -> dict[str, Any]:
    return {
        "ceilings": {
            "mongo_insert_many_docs_per_s": 10_000.0,
            "kafka_produce_records_per_s": 200_000.0,
            "kafka_consume_records_per_s": 400_000.0,
            "mongo_update_many_docs_per_s": 1_000.0,
            "mongo_bulk_update_one_docs_per_s": 800.0,
        },
        "initialization": {"elements_per_s": 8_000.0},
        "processing": {"elements_per_s": 400.0},
        "latency": {"p50_ms": 250.0},
        "rss": {"small": {"peak_rss_mb": 100.0}, "large": {"peak_rss_mb": 200.0}},
    }


def test_lowest_ceiling_is_the_smallest_of_insert_produce_consume() -> None:
    assert lowest_ceiling(results()) == 10_000.0
    assert lowest_ceiling({}) is None


def test_add_ratios_fills_each_scenario_against_its_ceilings() -> None:
    doc = results()
    add_ratios(doc)
    assert doc["initialization"]["ratio_vs_insert_ceiling"] == pytest.approx(0.8)
    assert doc["processing"]["ratio_vs_lowest_ceiling"] == pytest.approx(0.04)
    assert doc["processing"]["ratio_vs_update_ceiling"] == pytest.approx(0.5)
    # One update at each ceiling per element: 1 / (1/1000 + 1/800) = 444.4 elements/s.
    assert doc["processing"]["two_updates_bound_elements_per_s"] == pytest.approx(4000 / 9)
    assert doc["processing"]["ratio_vs_two_updates_bound"] == pytest.approx(0.9)


def test_add_ratios_without_ceilings_leaves_none() -> None:
    doc: dict[str, Any] = {"initialization": {"elements_per_s": 5.0}}
    add_ratios(doc)
    assert doc["initialization"]["ratio_vs_insert_ceiling"] is None
    doc = {"processing": {"elements_per_s": 5.0}, "ceilings": {"mongo_update_many_docs_per_s": 100.0}}
    add_ratios(doc)
    assert doc["processing"]["ratio_vs_two_updates_bound"] is None


def test_evaluate_reports_met_missed_and_not_measured() -> None:
    doc = results()
    add_ratios(doc)
    verdicts = {target.name: target.met for target in evaluate(doc)}
    assert verdicts == {
        "initialization / insert_many ceiling": True,
        "processing / lowest ceiling": False,
        "latency p50 (ms)": True,
        "peak RSS, large operation (MB)": True,
        "peak RSS large / small": False,
        "service CPU per initialized element (µs)": None,
        "service CPU per no-op element (µs)": None,
        "service CPU per invocation element (µs)": None,
        "MongoDB CPU, invocation / no-op element": None,
        "processing / two-updates bound": True,  # 400 of 444 el/s
        "invocation / no-op throughput": None,
    }
    assert all(target.met is None for target in evaluate({}))


def test_target_bounds_are_inclusive() -> None:
    doc: dict[str, Any] = {"latency": {"p50_ms": 500}, "rss": {"large": {"peak_rss_mb": 300.0}}}
    by_name = {target.name: target for target in evaluate(doc)}
    assert by_name["latency p50 (ms)"].met is True
    assert by_name["peak RSS, large operation (MB)"].met is True


def _cpu(service_us: float, mongo_us: float) -> dict[str, Any]:
    def figures(us: float) -> dict[str, float]:
        return {"cpu_us_per_element": us}

    return {"processes": {"service": figures(service_us), "mongo": figures(mongo_us)}}


def cost_results() -> dict[str, Any]:
    """Stages as the bench writes them: the invocation run without added latency is the one judged."""
    return {
        "initialization": {"cpu": _cpu(40.0, 900.0)},
        "processing": {"elements_per_s": 300.0, "cpu": _cpu(160.0, 2_000.0)},
        "invocation": {
            "runs": [
                {"latency_ms": 5.0, "elements_per_s": 100.0, "cpu": _cpu(9_000.0, 9_000.0)},
                {
                    "latency_ms": 0.0,
                    "elements_per_s": 240.0,
                    "cpu": _cpu(1_100.0, 3_000.0),
                    "processing_cpu": _cpu(1_050.0, 2_100.0),
                },
            ]
        },
    }


def test_cost_targets_read_the_cpu_figures_of_each_stage() -> None:
    by_name = {target.name: target for target in evaluate(cost_results())}
    assert by_name["service CPU per initialized element (µs)"].actual == 40.0
    assert by_name["service CPU per initialized element (µs)"].met is True
    assert by_name["service CPU per no-op element (µs)"].met is False
    # The whole window of the +0 ms run, its initialization included.
    assert by_name["service CPU per invocation element (µs)"].actual == 1_100.0
    # MongoDB from Initialized* on, against the no-op stage: 2,100 / 2,000.
    assert by_name["MongoDB CPU, invocation / no-op element"].actual == pytest.approx(1.05)
    assert by_name["MongoDB CPU, invocation / no-op element"].met is True
    assert by_name["invocation / no-op throughput"].actual == pytest.approx(0.8)
    assert by_name["invocation / no-op throughput"].met is True


def test_judged_applies_the_bound_in_its_direction() -> None:
    by_name = {target.name: target for target in evaluate(cost_results())}
    noop = by_name["service CPU per no-op element (µs)"]
    assert noop.judged(150.0).met is True and noop.judged(150.1).met is False
    throughput = by_name["invocation / no-op throughput"]
    assert throughput.judged(0.7).met is True and throughput.judged(0.69).met is False
    assert throughput.judged(None).met is None and throughput.judged(None).actual is None
