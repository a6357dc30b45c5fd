"""A thread-safe LRU map (lookups repeated by many worker threads): ``cachetools.LRUCache``
behind a lock, since cachetools' caches are not thread-safe themselves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K")
V = TypeVar("V")


class LruCache(Generic[K, V]):
    def __init__(self, max_size: int) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._items: LRUCache[K, V] = LRUCache(maxsize=max_size)
        self._lock = threading.Lock()

    def get_or_load(self, key: K, load: Callable[[], V]) -> V:
        """The cached value, or ``load()``'s (cached, None included). Loads run outside the lock, so
        two threads missing the same key may both load; the later result wins, which is harmless."""
        with self._lock:
            try:
                return self._items[key]  # a hit makes the key the most recently used
            except KeyError:
                pass
        value = load()
        self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
