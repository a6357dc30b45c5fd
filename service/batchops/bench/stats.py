"""Pure arithmetic of the benchmark: rates, percentiles, ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence


def rate(count: int, seconds: float) -> float:
    """Items per second; 0 when nothing was counted or no time passed."""
    if count <= 0 or seconds <= 0:
        return 0.0
    return count / seconds


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0-100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must lie in [0, 100], got {pct}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def ratio(value: float | None, reference: float | None) -> float | None:
    """``value / reference``, or None when either is missing or the reference is not positive."""
    if value is None or reference is None or reference <= 0:
        return None
    return value / reference


def lowest(*values: float | None) -> float | None:
    """The smallest of the known values (None if none is known)."""
    known = [v for v in values if v is not None]
    return min(known) if known else None


def two_updates_bound(update_many: float | None, bulk_update_one: float | None) -> float | None:
    """Elements/s if each costs one update at each of the two update ceilings (documents/s): the
    claim (an ``update_many``) and the outcome (bulk ``UpdateOne``), one after the other, so
    1 / (1/a + 1/b). None when either is unknown or not positive."""
    if not update_many or not bulk_update_one or update_many <= 0 or bulk_update_one <= 0:
        return None
    return 1 / (1 / update_many + 1 / bulk_update_one)


MICROSECONDS = 1_000_000


def cpu_figures(cpu_seconds: float | None, elements: int, wall_seconds: float) -> dict[str, float | None]:
    """What ``cpu_seconds`` of one process over a stage of ``elements`` in ``wall_seconds`` mean:
    per 1,000 elements, per element (µs), and the share of the wall time it was busy (1.0 = one
    core all along). None where the CPU time is unknown or there is nothing to divide by."""
    if cpu_seconds is None or cpu_seconds < 0:
        cpu_seconds = None
    per_element = ratio(cpu_seconds, elements)
    return {
        "cpu_seconds": cpu_seconds,
        "cpu_s_per_1000_elements": None if per_element is None else per_element * 1000,
        "cpu_us_per_element": None if per_element is None else per_element * MICROSECONDS,
        "busy_share": ratio(cpu_seconds, wall_seconds),
    }
