"""Bench arithmetic: rates, percentiles, ratios."""

from __future__ import annotations

import pytest

from batchops.bench.stats import lowest, percentile, rate, ratio


def test_rate_is_count_per_second_and_zero_without_time_or_count() -> None:
    assert rate(1000, 2.0) == 500.0
    assert rate(0, 2.0) == 0.0
    assert rate(10, 0.0) == 0.0


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        ([5.0], 50, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 0, 1.0),
        ([4.0, 1.0, 3.0, 2.0], 100, 4.0),
        (list(map(float, range(1, 101))), 95, 95.05),
        ([10.0, 20.0], 95, 19.5),
    ],
)
def test_percentile_interpolates_between_closest_ranks(
    values: list[float], pct: float, expected: float
) -> None:
    assert percentile(values, pct) == pytest.approx(expected)


def test_percentile_refuses_no_values_and_out_of_range() -> None:
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_ratio_needs_both_values_and_a_positive_reference() -> None:
    assert ratio(50.0, 200.0) == 0.25
    assert ratio(None, 200.0) is None
    assert ratio(50.0, None) is None
    assert ratio(50.0, 0.0) is None


def test_lowest_ignores_unknown_values() -> None:
    assert lowest(3.0, None, 2.0) == 2.0
    assert lowest(None, None) is None
