from __future__ import annotations

import threading

import pytest

from batchops.clients import LruCache


def test_least_recently_used_entry_is_evicted() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get_or_load("a", lambda: 99) == 1  # "a" is now the most recent
    cache.put("c", 3)
    assert len(cache) == 2
    assert cache.get_or_load("b", lambda: 20) == 20  # "b" had been evicted
    assert cache.get_or_load("a", lambda: 99) == 99  # ...and re-adding it evicted "a"


def test_none_results_are_cached() -> None:
    cache: LruCache[str, int | None] = LruCache(4)
    loads: list[str] = []

    def load() -> None:
        loads.append("x")

    assert cache.get_or_load("k", load) is None
    assert cache.get_or_load("k", load) is None
    assert loads == ["x"]


def test_concurrent_use_keeps_the_bound() -> None:
    cache: LruCache[int, int] = LruCache(50)

    def work(offset: int) -> None:
        for n in range(1000):
            cache.get_or_load((n + offset) % 200, lambda n=n: n)

    threads = [threading.Thread(target=work, args=(k * 7,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LruCache(0)
