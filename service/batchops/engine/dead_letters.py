"""Poison records: log where they came from, copy them to the dead-letter topic with the
reason, and let the consumer move on."""

from __future__ import annotations

import logging

from confluent_kafka import Message

from batchops.messaging.kafka import ConfirmedProducer

log = logging.getLogger(__name__)


class DeadLetters:
    def __init__(self, producer: ConfirmedProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic
        self.count = 0

    def send(self, record: Message, reason: str) -> None:
        log.warning(
            "dead-lettering record: %s",
            reason,
            extra={"topic": record.topic(), "partition": record.partition(), "offset": record.offset()},
        )
        self._producer.send_one(
            self._topic,
            key=record.key() or b"",
            value=record.value() or b"",
            headers={
                "batchops.reason": reason[:1000],
                "batchops.source.topic": str(record.topic()),
                "batchops.source.partition": str(record.partition()),
                "batchops.source.offset": str(record.offset()),
            },
        )
        self.count += 1
