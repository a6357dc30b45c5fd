"""Records per second one consumer loop drains from a filled topic, with a quick handler.

``batchops bench`` runs against the development MongoDB server, which sets the pace of every
stage there; this isolates the consumer loop (poll, batch, hand over, commit) on a real broker:
it fills a fresh topic, then drains it with one ``ConsumerLoop`` whose handler only waits
``--handler-ms``, and prints records per second and the batches it took.

    .venv/bin/python tools/consumer_drain.py [--bootstrap HOST:PORT] [--records 16000]
        [--partitions 8] [--batch 100] [--handler-ms 2]
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Sequence

from confluent_kafka import Message, Producer

from batchops.engine.consumer_loop import ConsumerLoop
from batchops.messaging.kafka import KafkaConfig, ensure_topics, make_consumer

DEV_KAFKA = "127.0.0.1:9092"


def fill(bootstrap: str, topic: str, records: int, partitions: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i in range(records):
        producer.produce(topic, f"r{i}".encode(), partition=i % partitions)
        if i % 1000 == 0:
            producer.poll(0)
    if producer.flush(60):
        raise SystemExit("the broker did not take every record within 60 s")


def drain(config: KafkaConfig, topic: str, records: int, batch: int, handler_ms: float) -> tuple[float, int]:
    """Seconds from the first batch to the last record, and the batches it took."""
    handled = 0
    started: float | None = None

    def handle(batch_records: Sequence[Message]) -> None:
        nonlocal handled, started
        started = started or time.monotonic()
        time.sleep(handler_ms / 1000)
        handled += len(batch_records)

    group = f"drain-{uuid.uuid4().hex[:8]}"
    loop = ConsumerLoop(
        "drain",
        lambda on_commit: make_consumer(config, group, group, on_commit),
        topic,
        handle,
        batch_size=batch,
        tenant_id="drain",
    )
    loop.start()
    try:
        deadline = time.monotonic() + 600
        while handled < records:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {handled:,} of {records:,} records drained in 600 s")
            time.sleep(0.05)
        assert started is not None
        return time.monotonic() - started, loop.batches_started
    finally:
        loop.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", default=DEV_KAFKA)
    parser.add_argument("--records", type=int, default=16_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--handler-ms", type=float, default=2.0)
    args = parser.parse_args()
    config = KafkaConfig(args.bootstrap)
    topic = f"drain-{uuid.uuid4().hex[:8]}"
    ensure_topics(config, [topic], args.partitions, 1)
    fill(args.bootstrap, topic, args.records, args.partitions)
    seconds, batches = drain(config, topic, args.records, args.batch, args.handler_ms)
    print(
        f"{args.records:,} records, {args.partitions} partitions, batches of {args.batch}, "
        f"handler {args.handler_ms:g} ms: {args.records / seconds:,.0f} records/s "
        f"({seconds:.2f} s, {batches} batches)"
    )


if __name__ == "__main__":
    main()
