"""Client settings: the operator's overrides win, except where the delivery guarantees rest on
a property (refused with a message naming the variable)."""

from __future__ import annotations

import pytest

from batchops.config import ConfigurationError, load_settings
from batchops.messaging.kafka import KafkaConfig, consumer_settings, producer_settings
from batchops.messaging.limits import MAX_MESSAGE_BYTES


def test_overrides_win_over_consumer_defaults() -> None:
    config = KafkaConfig(
        "b:9092",
        {"max.poll.interval.ms": "900000", "session.timeout.ms": "30000", "fetch.max.bytes": "5000000"},
    )
    settings = consumer_settings(config, "group", "client")
    assert settings["max.poll.interval.ms"] == "900000"
    assert settings["session.timeout.ms"] == "30000"
    assert settings["fetch.max.bytes"] == "5000000"
    assert (settings["group.id"], settings["enable.auto.commit"]) == ("group", False)


def test_overrides_win_over_producer_defaults() -> None:
    assert producer_settings(KafkaConfig("b:9092"), "c")["message.max.bytes"] == MAX_MESSAGE_BYTES
    settings = producer_settings(KafkaConfig("b:9092", {"message.max.bytes": "2000000"}), "c")
    assert settings["message.max.bytes"] == "2000000"
    assert (settings["enable.idempotence"], settings["acks"]) == (True, "all")


@pytest.mark.parametrize(
    "name",
    [
        "enable.auto.commit",
        "group.id",
        "enable.idempotence",
        "acks",
        # A cooperative rebalance would take part of an assignment: see PROTECTED_KAFKA_PROPERTIES.
        "partition.assignment.strategy",
        "group.protocol",
    ],
)
def test_overrides_of_guarantee_properties_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match=f"BATCHOPS_KAFKA_OVERRIDES: {name}"):
        KafkaConfig("b:9092", {name: "x"})


def test_the_setting_refuses_guarantee_properties_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match=r"BATCHOPS_KAFKA_OVERRIDES: .*enable\.auto\.commit"):
        load_settings(kafka_overrides={"enable.auto.commit": "true"})
    assert load_settings(kafka_overrides={"max.poll.interval.ms": "900000"}).kafka.overrides
