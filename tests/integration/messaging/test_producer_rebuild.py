"""A producer whose sends keep timing out is replaced by a new one (the broker restart itself is
covered by the lead's fault-injection test): here the broker is unreachable, so every send times
out, and each second one in a row rebuilds the producer."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from confluent_kafka import Producer

from batchops.messaging.kafka import ConfirmedProducer, KafkaConfig, PublishError


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sends_that_keep_timing_out_rebuild_the_producer() -> None:
    built: list[Producer] = []

    def factory(settings: dict[str, Any]) -> Producer:
        built.append(Producer(settings))
        return built[-1]

    config = KafkaConfig(f"127.0.0.1:{closed_port()}", {"message.timeout.ms": "300"})
    producer = ConfirmedProducer(config, "rebuild-test", factory)
    with pytest.raises(PublishError, match="Message timed out"):
        producer.send_all("t", [(b"k", b"v")], timeout=30)
    assert (producer.rebuilds, len(built)) == (0, 1)
    # The second timeout in a row replaces the producer; send_one tries once more on the new one.
    with pytest.raises(PublishError):
        producer.send_one("t", b"k", b"v")
    assert producer.rebuilds == 1 and len(built) == 2
    with pytest.raises(PublishError):
        producer.send_all("t", [(b"k", b"v")], timeout=30)
    assert producer.rebuilds == 2 and len(built) == 3
