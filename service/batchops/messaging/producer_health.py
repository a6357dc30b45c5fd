"""When an idempotent producer can no longer deliver and must be replaced.

An idempotent producer whose broker lost its producer state (a restart with wiped logs, a
broker that keeps none) gets UNKNOWN_PRODUCER_ID, a fencing or sequence error, a fatal error, or
simply never hears back: every send then times out, forever. Only a new producer (a new producer
id) recovers, so these outcomes are watched and a rebuild is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluent_kafka import KafkaError

# Errors after which this producer id / epoch is unusable.
_WEDGED = frozenset(
    {
        KafkaError._FATAL,
        KafkaError._FENCED,
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.INVALID_PRODUCER_ID_MAPPING,
        KafkaError.PRODUCER_FENCED,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
    }
)
_TIMEOUTS = frozenset({KafkaError._MSG_TIMED_OUT, KafkaError._TIMED_OUT, KafkaError.REQUEST_TIMED_OUT})
# Sends in a row that time out before the producer is presumed wedged (one may be a slow broker).
DEFAULT_TIMEOUT_STREAK = 2


class ProducerHealth:
    """Fed with the outcome of each confirmed send (and fatal errors from the error callback);
    ``observe`` says when to rebuild, ``reason`` why."""

    def __init__(self, timeout_streak: int = DEFAULT_TIMEOUT_STREAK) -> None:
        self._streak_limit = max(timeout_streak, 1)
        # Per topic: after a broker lost its state, sends to one topic can keep timing out while
        # another topic's succeed (its partitions' sequence state is wedged, the others' is not).
        self._timeouts: dict[str, int] = {}
        self._fatal: KafkaError | None = None
        self.reason = ""

    def fatal(self, error: KafkaError) -> None:
        """A fatal error reported by librdkafka's error callback."""
        self._fatal = error

    def observe(self, errors: Sequence[KafkaError], unconfirmed: int = 0, topic: str = "") -> bool:
        """Account for one send to ``topic`` (its delivery errors, and records not confirmed in
        time); True when the producer should be replaced."""
        if self._fatal is not None:
            self.reason = f"fatal error: {self._fatal}"
            return True
        wedged = next((e for e in errors if e.fatal() or e.code() in _WEDGED), None)
        if wedged is not None:
            self.reason = f"producer state lost: {wedged}"
            return True
        if unconfirmed or (errors and all(e.code() in _TIMEOUTS for e in errors)):
            self._timeouts[topic] = self._timeouts.get(topic, 0) + 1
        elif not errors:
            self._timeouts.pop(topic, None)
        streak = self._timeouts.get(topic, 0)
        if streak >= self._streak_limit:
            self.reason = f"{streak} sends in a row timed out" + (f" ({topic})" if topic else "")
            return True
        return False

    def reset(self) -> None:
        self._timeouts.clear()
        self._fatal = None
        self.reason = ""
