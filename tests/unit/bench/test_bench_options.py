"""Bench options: scenario selection and sizes."""

from __future__ import annotations

import pytest

from batchops.bench.runner import QUICK, SCENARIOS, make_options, parse_latencies, parse_only


def test_parse_only_keeps_run_order_and_refuses_unknown_names() -> None:
    assert parse_only(None) == SCENARIOS
    assert parse_only("latency, init") == ("init", "latency")
    with pytest.raises(ValueError, match="unknown scenario"):
        parse_only("init,warp")


def test_quick_sizes_and_explicit_overrides() -> None:
    full = make_options(False)
    assert (full.sizes.init_devices, full.sizes.rss_devices, full.sizes.latency_samples) == (
        100_000,
        1_000_000,
        30,
    )
    quick = make_options(True)
    assert quick.sizes.init_devices == QUICK["init_devices"] and quick.quick
    tuned = make_options(True, ("init",), init_devices=7, process_devices=None)
    assert tuned.sizes.init_devices == 7
    assert tuned.sizes.process_devices == QUICK["process_devices"]
    assert tuned.only == ("init",)


def test_parse_latencies_reads_milliseconds_and_refuses_bad_lists() -> None:
    assert parse_latencies("0") == (0.0,)
    assert parse_latencies("0, 5") == (0.0, 5.0)
    for bad in ("", "fast", "-1", " , "):
        with pytest.raises(ValueError):
            parse_latencies(bad)
