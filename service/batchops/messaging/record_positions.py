"""Where consumed records sit: their positions, the offsets that commit them, the ones to use."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from confluent_kafka import KafkaError, Message, TopicPartition

log = logging.getLogger(__name__)


def usable_records(messages: Sequence[Message]) -> list[Message]:
    """The records among ``messages``; consumer errors are logged (end-of-partition events are not)."""
    records = []
    for message in messages:
        error = message.error()
        if error is None:
            records.append(message)
        elif error.code() != KafkaError._PARTITION_EOF:
            log.warning("consumer error: %s", error)
    return records


def first_offsets(records: Sequence[Message]) -> dict[tuple[str, int], int]:
    """Per (topic, partition), the lowest offset among ``records``: where to rewind to."""
    firsts: dict[tuple[str, int], int] = {}
    for record in records:
        topic, partition, offset = position(record)
        firsts[(topic, partition)] = min(firsts.get((topic, partition), offset), offset)
    return firsts


def next_offsets(records: Sequence[Message]) -> list[TopicPartition]:
    """The offsets that commit ``records``: one past the highest, per partition."""
    last: dict[tuple[str, int], int] = {}
    for record in records:
        topic, partition, offset = position(record)
        last[(topic, partition)] = max(last.get((topic, partition), -1), offset)
    return [TopicPartition(topic, partition, offset + 1) for (topic, partition), offset in last.items()]


def position(record: Message) -> tuple[str, int, int]:
    """Topic, partition and offset of a consumed record (always set on consumed records)."""
    topic, partition, offset = record.topic(), record.partition(), record.offset()
    assert topic is not None and partition is not None and offset is not None
    return topic, partition, offset
