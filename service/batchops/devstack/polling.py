"""Poll a condition until it holds, with a deadline (no blind sleeps)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    condition: Callable[[], T | None],
    timeout: float,
    interval: float = 0.05,
    message: str = "",
    ignore: tuple[type[Exception], ...] = (),
) -> T:
    """Call ``condition`` until it returns a truthy value and return that value.

    Exceptions of the types in ``ignore`` count as "not yet"; any other exception propagates at once.
    Raises ``TimeoutError`` (with ``message``) when nothing truthy came back within ``timeout`` seconds.
    The condition is always tried at least once, and once more at the deadline.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        try:
            value = condition()
        except ignore as exc:
            last_error = exc
        else:
            if value:
                return value
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            detail = f" (last error: {last_error!r})" if last_error is not None else ""
            raise TimeoutError(f"{message or 'condition not met'}: gave up after {timeout:g} s{detail}")
        time.sleep(min(interval, remaining))
