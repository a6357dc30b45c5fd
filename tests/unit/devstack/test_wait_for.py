from __future__ import annotations

import itertools
import time

import pytest

from batchops.devstack import wait_for


def test_returns_the_first_truthy_value() -> None:
    values = iter([None, 0, "", "done", "later"])
    assert wait_for(lambda: next(values), timeout=1, interval=0) == "done"


def test_true_is_returned_for_boolean_conditions() -> None:
    assert wait_for(lambda: True, timeout=0) is True


def test_times_out_with_the_message() -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="broker ready"):
        wait_for(lambda: False, timeout=0.2, interval=0.01, message="broker ready")
    assert 0.2 <= time.monotonic() - start < 1.0


def test_ignored_exceptions_count_as_not_yet() -> None:
    calls = itertools.count()

    def flaky() -> int:
        if next(calls) < 3:
            raise ConnectionError("not yet")
        return 7

    assert wait_for(flaky, timeout=1, interval=0, ignore=(ConnectionError,)) == 7


def test_other_exceptions_propagate() -> None:
    def boom() -> bool:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        wait_for(boom, timeout=1)


def test_last_ignored_error_is_reported_on_timeout() -> None:
    def refused() -> bool:
        raise ConnectionRefusedError("refused")

    with pytest.raises(TimeoutError, match="ConnectionRefusedError"):
        wait_for(refused, timeout=0.05, interval=0.01, ignore=(OSError,))
