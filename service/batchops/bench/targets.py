"""The targets printed next to the figures, evaluated from a results document (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from batchops.bench.stats import lowest, ratio, two_updates_bound

Results = Mapping[str, Any]

INIT_RATIO_TARGET = 0.7
PROCESSING_RATIO_TARGET = 0.5
LATENCY_P50_TARGET_MS = 500.0
RSS_LARGE_TARGET_MB = 300.0
RSS_GROWTH_TARGET = 1.5


@dataclass(frozen=True)
class Target:
    name: str
    wanted: str
    actual: float | None
    met: bool | None  # None: not measured in this run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def _at_least(name: str, wanted: str, actual: float | None, bound: float) -> Target:
    return Target(name, wanted, actual, None if actual is None else actual >= bound)


def _at_most(name: str, wanted: str, actual: float | None, bound: float) -> Target:
    return Target(name, wanted, actual, None if actual is None else actual <= bound)


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
