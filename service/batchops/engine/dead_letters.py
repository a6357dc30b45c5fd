"""Poison records: log where they came from, copy them to the dead-letter topic with the
reason, and let the consumer move on.

A record too large for the dead-letter topic (or our producer) is still dead-lettered: a bounded
copy of its start, with its source position, size and the reason in headers. Otherwise the send
would fail on every redelivery and the consumer would retry that record forever.
"""

from __future__ import annotations

import logging

from confluent_kafka import Message

from batchops.engine.ports import RecordSender
from batchops.messaging.kafka import PublishError
from batchops.messaging.limits import DEAD_LETTER_COPY_BYTES, DEAD_LETTER_KEY_BYTES

log = logging.getLogger(__name__)

_REASON_CHARS = 1000


class DeadLetters:
    def __init__(self, producer: RecordSender, topic: str) -> None:
        self._producer = producer
        self._topic = topic
        self.count = 0
        self.truncated = 0

    def send(self, record: Message, reason: str) -> None:
        key, value = record.key() or b"", record.value() or b""
        log.warning(
            "dead-lettering record: %s",
            reason[:_REASON_CHARS],
            extra={
                "topic": record.topic(),
                "partition": record.partition(),
                "offset": record.offset(),
                "bytes": len(value),
            },
        )
        headers = {
            "batchops.reason": reason[:_REASON_CHARS],
            "batchops.source.topic": str(record.topic()),
            "batchops.source.partition": str(record.partition()),
            "batchops.source.offset": str(record.offset()),
        }
        try:
            self._producer.send_one(self._topic, key=key, value=value, headers=headers)
        except PublishError as exc:
            if not exc.too_large:
                raise
            log.warning("record too large to dead-letter whole (%d bytes); sending its start", len(value))
            headers["batchops.truncated"] = "true"
            headers["batchops.source.value.bytes"] = str(len(value))
            headers["batchops.source.key.bytes"] = str(len(key))
            self._producer.send_one(
                self._topic,
                key=key[:DEAD_LETTER_KEY_BYTES],
                value=value[:DEAD_LETTER_COPY_BYTES],
                headers=headers,
            )
            self.truncated += 1
        self.count += 1
