"""Publishing work onto the tenant's topics: operations (chunked target lists, keyed by
operation id so one consumer owns an operation) and elements (keyed by device token)."""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator

from batchops.domain import BatchElement, BatchOperation
from batchops.engine.pacing import Pacer
from batchops.engine.ports import RecordSender, WorkPort
from batchops.messaging.codecs import ElementWork, element_records, encode_operation_chunk
from batchops.messaging.topics import TenantTopics
from batchops.protocol.convert import operation_to_wire

# Records per confirmed send when pacing: small enough that a throttle spreads them evenly.
_PACED_SLICE = 100


class WorkPublisher:
    def __init__(self, producer: RecordSender, topics: TenantTopics, work: WorkPort) -> None:
        self._producer = producer
        self._topics = topics
        self._work = work

    def publish_operation(self, operation: BatchOperation, skip_chunks: Container[int] = ()) -> int:
        """Send the operation's stored target list, chunk by chunk (streamed from the store),
        except the chunks in ``skip_chunks`` (already initialized)."""
        wire = operation_to_wire(operation)
        count = max(operation.target_chunk_count, 1)
        key = str(operation.id)

        def records() -> Iterator[tuple[str, bytes]]:
            seen = False
            for index, tokens in self._work.initialization.target_chunks(operation.id):
                seen = True
                if index not in skip_chunks:
                    yield key, encode_operation_chunk(wire, tokens, index, count)
            if not seen:  # an operation without targets still needs its one record
                yield key, encode_operation_chunk(wire, [], 0, 1)

        return self._producer.send_all(self._topics.operations, records())

    def publish_elements(
        self,
        works: Iterable[ElementWork],
        pacer: Pacer | None = None,
        on_progress: Callable[[], None] | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> int:
        records = element_records(works)
        if pacer is None or not pacer.active:
            return self._producer.send_all(self._topics.elements, records)
        sent = 0
        batch: list[tuple[str, bytes]] = []
        for record in records:
            waited = pacer.acquire(1)
            if waited and on_wait is not None:
                on_wait(waited)
            batch.append(record)
            if len(batch) >= _PACED_SLICE:
                sent += self._producer.send_all(self._topics.elements, batch)
                batch = []
                if on_progress is not None:
                    on_progress()
        if batch:
            sent += self._producer.send_all(self._topics.elements, batch)
        return sent

    def republish_elements(self, elements: Iterable[BatchElement]) -> int:
        return self.publish_elements(ElementWork(e.id, e.operation_id, e.device_token) for e in elements)
