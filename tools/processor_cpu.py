"""CPU per element of the processor alone: claim, no-op handler, outcome writes, finish.

``batchops bench`` measures the whole service process over a stage, and from run to run its CPU
per element moves by 15% with the development servers' speed (the service's idle work is spread
over however many elements the database let through). This runs one ``Processor`` in this
process on a real MongoDB-protocol server, with Kafka left out (its records are handed over
directly), and reports the process's CPU per element: changes of a few per cent show.

    .venv/bin/python tools/processor_cpu.py [--mongo-uri URI] [--elements 5000] [--runs 3]
        [--in-filter-ids N]
"""

from __future__ import annotations

import argparse
import resource
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, cast

from batchops.domain import OperationCreate, element_id_for
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import ElementOutcome, HandlerContext, HandlerRegistry
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.processor import ElementOutputs, HandlerAccess, ProcessingPolicy, Processor
from batchops.messaging.codecs import ElementWork, encode_element_work
from batchops.store import BatchStore, MongoConnector
from batchops.store.work_store import WorkStore

DEV_MONGO = "mongodb://127.0.0.1:27017/?directConnection=true&retryWrites=false"
BATCH = 500  # records per consumer batch, the default
OPERATION_TYPE = "ProcessorCpu"


class _Noop:
    operation_type = OPERATION_TYPE

    def validate(self, create: OperationCreate) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        return ElementOutcome.success()


class _Record:
    """What the processor reads of a consumed record."""

    def __init__(self, key: str, value: bytes) -> None:
        self._key, self._value = key.encode(), value

    def key(self) -> bytes:
        return self._key

    def value(self) -> bytes:
        return self._value


class _NoKafka:
    """No record leaves a no-op run (nothing fails); refuse loudly if one tries."""

    def send_all(
        self, topic: str, records: Iterable[tuple[str | bytes, bytes]], timeout: float = 60.0
    ) -> int:
        if list(records):
            raise RuntimeError(f"unexpected records to {topic}")
        return 0

    def send_one(
        self, topic: str, key: str | bytes, value: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        raise RuntimeError(f"unexpected record to {topic}")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_once(connector: MongoConnector, elements: int, in_filter_ids: int | None = None) -> float:
    """Process ``elements`` no-op elements of a fresh operation; returns µs of CPU per element."""
    tenant = "cpu" + uuid.uuid4().hex[:10]
    database = connector.tenant_database(tenant)
    try:
        # The piece size is given only when asked for: the tool also measures older commits.
        work = (
            WorkStore(database) if in_filter_ids is None else WorkStore(database, in_filter_ids=in_filter_ids)
        )
        tokens = [f"device-{i:07d}" for i in range(elements)]
        create = OperationCreate(operation_type=OPERATION_TYPE)
        operation = BatchStore(database).create_operation(create, tokens)
        work.initialization.begin_initialization(operation.id)
        for index, chunk in work.initialization.target_chunks(operation.id):
            present = work.initialization.insert_chunk_elements(operation.id, index, 1_000_000, chunk)
            work.initialization.mark_chunk_initialized(operation.id, index, present)
        work.initialization.complete_initialization(operation.id)
        # Built one by one with the oldest helpers, so the tool also measures earlier commits.
        works = [ElementWork(element_id_for(operation.id, t), operation.id, t) for t in tokens]
        records: Sequence[Any] = [_Record(w.device_token, encode_element_work(w)) for w in works]
        kafka = _NoKafka()
        processor = Processor(
            tenant,
            work,
            ElementOutputs(kafka, "failed", DeadLetters(kafka, "dead"), republish=lambda _: 0),
            ProcessingPolicy(concurrency=32, lease=timedelta(seconds=60), max_attempts=3),
            HandlerAccess(HandlerRegistry([_Noop()])),
            Heartbeat(work),
        )
        try:
            start = _cpu()
            for first in range(0, elements, BATCH):
                processor.handle_batch(cast(Any, records[first : first + BATCH]))
            spent = _cpu() - start
        finally:
            processor.close()
        done = work.operations.operation(operation.id)
        if done is None or done.counts.succeeded != elements:
            raise RuntimeError(f"the run did not finish every element: {done}")
        return spent / elements * 1e6
    finally:
        connector.drop_tenant_database(tenant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mongo-uri", default=DEV_MONGO)
    parser.add_argument("--elements", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--in-filter-ids",
        type=int,
        default=None,
        help="ids per _id $in filter (as BATCHOPS_MONGODB_IN_FILTER_IDS)",
    )
    args = parser.parse_args()
    connector = MongoConnector(args.mongo_uri, "processor-cpu-")
    try:
        figures = [
            run_once(connector, max(args.elements, 1), args.in_filter_ids) for _ in range(max(args.runs, 1))
        ]
    finally:
        connector.close()
    print("processor CPU per no-op element (µs):", " / ".join(f"{f:.0f}" for f in figures))


if __name__ == "__main__":
    main()
