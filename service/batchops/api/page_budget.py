"""Bounding a list page by its encoded size as well as by its item count.

Items are bounded (``domain.validation``), but a page of the largest allowed size full of the
largest allowed items would still exceed what a client accepts (gRPC's default receive limit is
4 MiB). A page therefore ends early once its items reach the byte budget: it then holds fewer
items than asked for, while ``count`` still gives the total. The first item always fits, so
every page makes progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from google.protobuf.message import Message

Item = TypeVar("Item")
Wire = TypeVar("Wire", bound=Message)


class PageBudget(Generic[Item, Wire]):
    """Converts items to wire messages until ``max_bytes`` would be exceeded."""

    def __init__(self, max_bytes: int, to_wire: Callable[[Item], Wire]) -> None:
        self._max_bytes = max_bytes
        self._to_wire = to_wire
        self._used = 0
        self.messages: list[Wire] = []

    def keep(self, item: Item) -> bool:
        message = self._to_wire(item)
        # Each repeated entry costs its bytes plus a tag and a length prefix (at most 6 bytes).
        size = message.ByteSize() + 6
        if self.messages and self._used + size > self._max_bytes:
            return False
        self._used += size
        self.messages.append(message)
        return True
