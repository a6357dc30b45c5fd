"""The targets printed next to the figures, evaluated from a results document (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from batchops.bench.stats import lowest, ratio, two_updates_bound

Results = Mapping[str, Any]

INIT_RATIO_TARGET = 0.7
PROCESSING_RATIO_TARGET = 0.5
LATENCY_P50_TARGET_MS = 500.0
RSS_LARGE_TARGET_MB = 300.0
RSS_GROWTH_TARGET = 1.5
# What batchops itself costs (issue 15): its own CPU per element, the database work an invocation
# element costs against a no-op one, and how close processing runs to what the database allows.
INIT_CPU_TARGET_US = 50.0
NOOP_CPU_TARGET_US = 150.0
INVOCATION_CPU_TARGET_US = 500.0
INVOCATION_MONGO_RATIO_TARGET = 1.1
TWO_UPDATES_RATIO_TARGET = 0.85
INVOCATION_THROUGHPUT_RATIO_TARGET = 0.7


@dataclass(frozen=True)
class Target:
    name: str
    wanted: str
    actual: float | None
    met: bool | None  # None: not measured in this run
    bound: float = 0.0
    at_least: bool = True  # the actual must be >= bound (else <=)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def judged(self, actual: float | None) -> Target:
        """The same target with another actual value (the median of several runs)."""
        if actual is None:
            return replace(self, actual=None, met=None)
        met = actual >= self.bound if self.at_least else actual <= self.bound
        return replace(self, actual=actual, met=met)


def _get(results: Results, section: str, key: str) -> float | None:
    value = (results.get(section) or {}).get(key)
    return float(value) if isinstance(value, int | float) else None


def lowest_ceiling(results: Results) -> float | None:
    """min(insert_many, produce, consume): what processing must at least read and write."""
    return lowest(
        _get(results, "ceilings", "mongo_insert_many_docs_per_s"),
        _get(results, "ceilings", "kafka_produce_records_per_s"),
        _get(results, "ceilings", "kafka_consume_records_per_s"),
    )


def cpu_us(cpu: Any, role: str) -> float | None:
    """µs of ``role``'s CPU per element in a stage's ``cpu`` mapping."""
    figures = ((cpu or {}).get("processes") or {}).get(role) or {}
    value = figures.get("cpu_us_per_element")
    return float(value) if isinstance(value, int | float) else None


def invocation_run(results: Results) -> Mapping[str, Any]:
    """The invocation run with the simulator adding no latency (the one the targets are about)."""
    runs = (results.get("invocation") or {}).get("runs") or []
    return next((run for run in runs if run.get("latency_ms") == 0), {})


def _at_least(name: str, wanted: str, actual: float | None, bound: float) -> Target:
    return Target(name, wanted, None, None, bound, at_least=True).judged(actual)


def _at_most(name: str, wanted: str, actual: float | None, bound: float) -> Target:
    return Target(name, wanted, None, None, bound, at_least=False).judged(actual)


def evaluate(results: Results) -> list[Target]:
    rss = results.get("rss") or {}
    large = _get(rss, "large", "peak_rss_mb")
    small = _get(rss, "small", "peak_rss_mb")
    return [
        _at_least(
            "initialization / insert_many ceiling",
            f">= {INIT_RATIO_TARGET}",
            _get(results, "initialization", "ratio_vs_insert_ceiling"),
            INIT_RATIO_TARGET,
        ),
        _at_least(
            "processing / lowest ceiling",
            f">= {PROCESSING_RATIO_TARGET}",
            _get(results, "processing", "ratio_vs_lowest_ceiling"),
            PROCESSING_RATIO_TARGET,
        ),
        _at_most(
            "latency p50 (ms)",
            f"<= {LATENCY_P50_TARGET_MS:g}",
            _get(results, "latency", "p50_ms"),
            LATENCY_P50_TARGET_MS,
        ),
        _at_most("peak RSS, large operation (MB)", f"<= {RSS_LARGE_TARGET_MB:g}", large, RSS_LARGE_TARGET_MB),
        _at_most(
            "peak RSS large / small",
            f"<= {RSS_GROWTH_TARGET}",
            ratio(large, small),
            RSS_GROWTH_TARGET,
        ),
        *cost_targets(results),
    ]


def cost_targets(results: Results) -> list[Target]:
    """Issue 15's targets. The invocation's service CPU counts its whole window (its
    initialization included, as the no-op stage's does not: the stricter reading); its MongoDB
    CPU counts from Initialized* on, the part that compares with the no-op stage."""
    noop_cpu = (results.get("processing") or {}).get("cpu")
    invocation = invocation_run(results)
    noop_speed = _get(results, "processing", "elements_per_s")
    invocation_speed = invocation.get("elements_per_s")
    return [
        _at_most(
            "service CPU per initialized element (µs)",
            f"<= {INIT_CPU_TARGET_US:g}",
            cpu_us((results.get("initialization") or {}).get("cpu"), "service"),
            INIT_CPU_TARGET_US,
        ),
        _at_most(
            "service CPU per no-op element (µs)",
            f"<= {NOOP_CPU_TARGET_US:g}",
            cpu_us(noop_cpu, "service"),
            NOOP_CPU_TARGET_US,
        ),
        _at_most(
            "service CPU per invocation element (µs)",
            f"<= {INVOCATION_CPU_TARGET_US:g}",
            cpu_us(invocation.get("cpu"), "service"),
            INVOCATION_CPU_TARGET_US,
        ),
        _at_most(
            "MongoDB CPU, invocation / no-op element",
            f"<= {INVOCATION_MONGO_RATIO_TARGET}",
            ratio(cpu_us(invocation.get("processing_cpu"), "mongo"), cpu_us(noop_cpu, "mongo")),
            INVOCATION_MONGO_RATIO_TARGET,
        ),
        _at_least(
            "processing / two-updates bound",
            f">= {TWO_UPDATES_RATIO_TARGET}",
            _get(results, "processing", "ratio_vs_two_updates_bound"),
            TWO_UPDATES_RATIO_TARGET,
        ),
        _at_least(
            "invocation / no-op throughput",
            f">= {INVOCATION_THROUGHPUT_RATIO_TARGET}",
            ratio(invocation_speed if isinstance(invocation_speed, int | float) else None, noop_speed),
            INVOCATION_THROUGHPUT_RATIO_TARGET,
        ),
    ]


def add_ratios(results: dict[str, Any]) -> None:
    """Fill in each scenario's ratio to the ceilings measured in the same run (where both exist)."""
    ceilings = results.get("ceilings") or {}
    init = results.get("initialization")
    if init:
        init["ratio_vs_insert_ceiling"] = ratio(
            init.get("elements_per_s"), ceilings.get("mongo_insert_many_docs_per_s")
        )
    processing = results.get("processing")
    if processing:
        speed = processing.get("elements_per_s")
        processing["ratio_vs_lowest_ceiling"] = ratio(speed, lowest_ceiling(results))
        update_many = ceilings.get("mongo_update_many_docs_per_s")
        bulk_update_one = ceilings.get("mongo_bulk_update_one_docs_per_s")
        processing["ratio_vs_update_ceiling"] = ratio(speed, lowest(update_many, bulk_update_one))
        bound = two_updates_bound(update_many, bulk_update_one)
        processing["two_updates_bound_elements_per_s"] = bound
        processing["ratio_vs_two_updates_bound"] = ratio(speed, bound)
