"""What a consumer batch holds while it runs longer than ``LoopTiming.pause_after``: the partitions
it paused, and how they are paused and resumed (failures are logged, never raised: a pause left
over is undone by the idle loop's periodic resume, ``LoopTiming.idle_resume``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaException, TopicPartition

log = logging.getLogger(__name__)


@dataclass
class Hold:
    """What a batch holds while it runs: the partitions it paused (as of which assignment
    generation) and its stop deadline."""

    paused: dict[tuple[str, int], TopicPartition] = field(default_factory=dict)
    paused_at: int = -1
    give_up_at: float | None = None


def release(consumer: Consumer, hold: Hold) -> None:
    """Resume what a hold paused, and the assignment (a rebalance meanwhile may have changed it)."""
    if hold.paused:
        resume(consumer, [*hold.paused.values(), *assignment_of(consumer)])


def assignment_of(consumer: Consumer) -> list[TopicPartition]:
    try:
        return list(consumer.assignment())
    except KafkaException:
        return []


def pause_assignment(consumer: Consumer, paused: dict[tuple[str, int], TopicPartition]) -> bool:
    """Pause the whole assignment: a rebalance during the batch may have added partitions, or
    given back one paused before (an assignment starts resumed: ``_on_assign``). False if it failed."""
    try:
        assigned = list(consumer.assignment())
        if assigned:
            consumer.pause(assigned)
    except KafkaException as exc:
        log.warning("could not pause partitions: %s", exc.args[0])
        return False
    paused.update(((p.topic, p.partition), p) for p in assigned)
    return True


def resume(consumer: Consumer, partitions: list[TopicPartition]) -> None:
    try:
        consumer.resume(partitions)
    except KafkaException as exc:
        log.warning("could not resume partitions: %s", exc.args[0])
