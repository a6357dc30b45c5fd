"""The one backoff policy: how long to pause after a failed attempt, and when to give up.

Used by the outgoing gRPC calls, the handler retries of the processor, the consumer loop's
restarts and the tenant engines' start retries. It imports nothing of batchops, so every layer
can use it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """After the n-th failed attempt, pause ``initial * multiplier ** (n - 1)`` seconds, at most
    ``maximum``. ``jitter`` shortens each pause by a random fraction up to itself (each pause is
    drawn from ``[pause * (1 - jitter), pause]``), so that callers that failed together do not all
    come back together. ``max_attempts`` counts every attempt, the first included; None: no limit.
    """

    initial: float = 1.0
    maximum: float = 60.0
    max_attempts: int | None = None
    multiplier: float = 2.0
    jitter: float = 0.0

    def pause(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to pause after ``failures`` failed attempts (1 or more), whatever the limit."""
        try:
            grown = self.initial * float(self.multiplier) ** (failures - 1)
        except OverflowError:  # a caller retrying forever has long reached the maximum
            grown = self.maximum
        capped = float(min(self.maximum, grown))
        if not self.jitter:
            return capped
        return capped * (1 - self.jitter * (rng or random).random())

    def delay(self, failures: int, rng: random.Random | None = None) -> float | None:
        """The pause after ``failures`` failed attempts, or None when no attempt is left."""
        if self.max_attempts is not None and failures >= self.max_attempts:
            return None
        return self.pause(failures, rng)

    def delays(self, rng: random.Random | None = None) -> Iterator[float]:
        """The pauses between attempts, in order (``max_attempts - 1`` of them)."""
        failures = 1
        while (pause := self.delay(failures, rng)) is not None:
            yield pause
            failures += 1
