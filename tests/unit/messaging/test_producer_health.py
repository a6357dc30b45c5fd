"""When a producer must be replaced: fatal errors, lost or fenced producer ids, and sends that
keep timing out; not on ordinary failures or a single slow send."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError

from batchops.messaging.producer_health import ProducerHealth

TIMED_OUT = KafkaError(KafkaError._MSG_TIMED_OUT)


@pytest.mark.parametrize(
    "code",
    [
        KafkaError.UNKNOWN_PRODUCER_ID,
        KafkaError.INVALID_PRODUCER_EPOCH,
        KafkaError.PRODUCER_FENCED,
        KafkaError._FENCED,
        KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
        KafkaError._FATAL,
    ],
)
def test_a_lost_or_fenced_producer_id_asks_for_a_rebuild_at_once(code: int) -> None:
    health = ProducerHealth()
    assert health.observe([KafkaError(code)])
    assert "producer state lost" in health.reason


def test_a_fatal_error_asks_for_a_rebuild() -> None:
    health = ProducerHealth()
    assert health.observe([KafkaError(KafkaError.MSG_SIZE_TOO_LARGE, fatal=True)])
    fresh = ProducerHealth()
    fresh.fatal(KafkaError(KafkaError._FATAL, fatal=True))
    assert fresh.observe([]) and "fatal" in fresh.reason


def test_repeated_timeouts_ask_for_a_rebuild_a_single_one_does_not() -> None:
    health = ProducerHealth(timeout_streak=2)
    assert not health.observe([TIMED_OUT])
    assert health.observe([TIMED_OUT, TIMED_OUT])
    health.reset()
    assert not health.observe([], unconfirmed=3)  # flush gave up: counts as a timeout
    assert health.observe([], unconfirmed=1)


def test_a_success_clears_the_timeout_streak_other_errors_leave_it() -> None:
    health = ProducerHealth(timeout_streak=2)
    assert not health.observe([TIMED_OUT])
    assert not health.observe([])
    assert not health.observe([TIMED_OUT])
    assert not health.observe([KafkaError(KafkaError.MSG_SIZE_TOO_LARGE)])
    assert health.observe([TIMED_OUT])
    assert "2 sends in a row timed out" in health.reason


def test_timeouts_on_one_topic_are_not_cleared_by_successes_on_another() -> None:
    # After a broker lost its data, one topic's sends may keep timing out while another's work.
    health = ProducerHealth(timeout_streak=2)
    assert not health.observe([TIMED_OUT], topic="failed")
    assert not health.observe([], topic="elements")
    assert health.observe([TIMED_OUT], topic="failed")
    assert "(failed)" in health.reason
