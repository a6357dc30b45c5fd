"""The one backoff policy: growth, cap, jitter, attempt limit."""

from __future__ import annotations

import random

import pytest

from batchops.retry import Backoff


def test_pauses_double_from_the_initial_up_to_the_maximum() -> None:
    backoff = Backoff(initial=0.1, maximum=2.0)
    assert [backoff.pause(n) for n in range(1, 8)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0])


def test_a_caller_retrying_forever_stays_at_the_maximum() -> None:
    assert Backoff(initial=1, maximum=30).pause(100_000) == 30


def test_the_attempt_limit_counts_the_first_attempt() -> None:
    backoff = Backoff(initial=1, maximum=4, max_attempts=3)
    assert [backoff.delay(n) for n in (1, 2, 3, 4)] == [1, 2, None, None]
    assert list(backoff.delays()) == [1, 2]


def test_jitter_only_shortens_pauses() -> None:
    backoff = Backoff(initial=1, maximum=1, jitter=0.2)
    pauses = [backoff.pause(n, random.Random(n)) for n in range(1, 200)]
    assert all(0.8 <= pause <= 1.0 for pause in pauses)
    assert len(set(pauses)) > 1
