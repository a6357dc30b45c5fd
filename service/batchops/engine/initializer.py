"""The operations consumer: turn each operation record (one chunk of its target list) into
elements, publish one element record per device, and move the operation through Initializing
to Initialized* once every chunk is in. Re-running a chunk after a crash adds nothing twice."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confluent_kafka import Message

from batchops import metrics
from batchops.domain import BatchOperation, BatchOperationStatus, DomainError, element_ids_for
from batchops.domain.validation import check_device_token
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.external import TARGETING_TOPIC, ExternalOperations
from batchops.engine.handlers import OperationStopped
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.pacing import Pacer
from batchops.engine.ports import WorkPort
from batchops.engine.publisher import WorkPublisher
from batchops.logs import log_context
from batchops.memory import release_free_memory
from batchops.messaging.codecs import ElementWork, OperationChunk, UndecodableRecord, decode_operation_chunk

log = logging.getLogger(__name__)

# Element sequence numbers are chunk_index * stride + position, so chunks never overlap whatever
# size the producer chose (at most this many tokens per record).
SEQ_STRIDE = 1_000_000
# Elements are inserted in slices of this many, so a stopping engine waits for one slice, not a
# whole chunk (one insert of 10,000 elements takes seconds on a slow or busy database).
INSERT_SLICE = 2_000


def _never() -> bool:
    return False


def _always(_operation_id: uuid.UUID) -> bool:
    return True


@dataclass(frozen=True)
class InitializerGates:
    """When to give up a chunk: the engine is stopping (the record is left uncommitted, to come
    again), or its operation may not go on (paused or canceled: the chunk is skipped, and a resume
    sends the chunks not yet counted in again)."""

    stopping: Callable[[], bool] = _never
    runnable: Callable[[uuid.UUID], bool] = _always


@dataclass(frozen=True)
class InitializerOutputs:
    """Where the initializer sends records: element records, and undecodable ones."""

    publisher: WorkPublisher
    dead_letters: DeadLetters


class Initializer:
    def __init__(
        self,
        work: WorkPort,
        outputs: InitializerOutputs,
        external: ExternalOperations,
        pacer: Pacer,
        heartbeat: Heartbeat,
        tenant_id: str = "",
        gates: InitializerGates = InitializerGates(),
        max_chunk_count: int = 2_000_000,
    ) -> None:
        self._work = work
        self._publisher = outputs.publisher
        self._dead = outputs.dead_letters
        self._external = external
        self._pacer = pacer
        self._heartbeat = heartbeat
        self._tenant = tenant_id
        self._stopping = gates.stopping
        self._runnable = gates.runnable
        # Every chunk carries at least one token, so no operation needs more chunks than the
        # token limit allows; the count drives what recovery and completion look at.
        self._max_chunks = max_chunk_count
        self.initialized_elements = 0

    def handle_batch(self, records: Sequence[Message]) -> None:
        metrics.observe_consumer_batch(self._tenant, "operations", len(records))
        self._heartbeat.activity()
        for record in records:
            self._check_stopping()
            try:
                chunk = decode_operation_chunk(record.value())
            except UndecodableRecord as exc:
                self._dead.send(record, str(exc))
                continue
            if len(chunk.device_tokens) > SEQ_STRIDE:
                self._dead.send(record, f"more than {SEQ_STRIDE} device tokens in one record")
                continue
            if chunk.chunk_count > self._max_chunks:
                self._dead.send(
                    record,
                    f"chunkCount {chunk.chunk_count} exceeds {self._max_chunks} "
                    "(the most device tokens an operation may have)",
                )
                continue
            try:
                operation = self._external.resolve(chunk)
            except DomainError as exc:
                self._dead.send(record, exc.description)
                continue
            if operation is not None:
                with log_context(operation=operation.token):
                    try:
                        self._initialize_chunk(operation, chunk)
                    except OperationStopped:
                        log.info("operation paused or canceled: chunk %d left for later", chunk.chunk_index)
                        self._work.control.settle(operation.id)

    def _initialize_chunk(self, operation: BatchOperation, chunk: OperationChunk) -> None:
        if operation.status.is_initialized or operation.status.is_final:
            return  # every chunk was already counted in
        if operation.status == BatchOperationStatus.PAUSED:
            # Skipped until resumed, which sends the chunks not counted in again from the store:
            # keep this one there (a record from the Kafka entry point exists nowhere else).
            self._work.initialization.store_chunk_targets(
                operation.id, chunk.chunk_index, chunk.device_tokens
            )
            return
        if not operation.status.runs:
            return  # canceling: its chunks are not needed any more
        self._work.initialization.begin_initialization(operation.id)
        if chunk.chunk_index in self._work.initialization.chunks_done(operation.id)[0]:
            # A repeat (redelivery or recovery): only the final step may still be missing.
            self._complete(operation)
            return
        tokens, rejected = _valid_tokens(chunk.device_tokens)
        self._work.initialization.store_chunk_targets(operation.id, chunk.chunk_index, tokens)
        ids = element_ids_for(operation.id, tokens)  # once: stored and sent
        present = self._insert(operation, chunk.chunk_index, tokens, ids)
        self._check_stopping()
        # After the inserts: a cancel that raced them finds them (``settle`` runs on the way out).
        self._check_runnable(operation)

        def progress() -> None:
            self._heartbeat.beat(operation.id)
            self._check_stopping()
            self._check_runnable(operation)

        self._publisher.publish_elements(
            (ElementWork(element, operation.id, token) for element, token in zip(ids, tokens, strict=True)),
            self._pacer,
            on_progress=progress,
            on_wait=lambda seconds: metrics.throttle_waited(self._tenant, seconds),
        )
        counted = self._work.initialization.mark_chunk_initialized(
            operation.id,
            chunk.chunk_index,
            present,
            rejected=len(rejected),
            tokens=len(chunk.device_tokens) if operation.targeting == TARGETING_TOPIC else 0,
        )
        if counted:
            self.initialized_elements += len(tokens)
            metrics.elements_initialized(self._tenant, len(tokens))
        if rejected:
            self._work.operations.record_error(
                operation.id, f"{len(rejected)} invalid device token(s), e.g. {rejected[0]!r}"
            )
        # The chunk's documents and records are garbage now (and, after the first chunk, the
        # create request that carried the whole list): give the pages back.
        release_free_memory()
        self._complete(operation)

    def _insert(
        self, operation: BatchOperation, chunk_index: int, tokens: Sequence[str], ids: Sequence[uuid.UUID]
    ) -> int:
        """Insert a chunk's elements slice by slice, checking for a stop or a pause between slices;
        returns how many of them exist."""
        present = 0
        for start in range(0, len(tokens), INSERT_SLICE):
            self._check_stopping()
            self._check_runnable(operation)
            end = start + INSERT_SLICE
            present += self._work.initialization.insert_chunk_elements(
                operation.id, chunk_index, SEQ_STRIDE, tokens[start:end], start, ids[start:end]
            )
        return present

    def _check_stopping(self) -> None:
        if self._stopping():
            raise Interrupted

    def _check_runnable(self, operation: BatchOperation) -> None:
        if not self._runnable(operation.id):
            raise OperationStopped(f"operation {operation.token} was paused or canceled")

    def _complete(self, operation: BatchOperation) -> None:
        done = self._work.initialization.complete_initialization(operation.id)
        if done is not None:
            log.info(
                "operation initialized", extra={"elements": done.total_elements, "status": done.status.value}
            )
            self._work.finishing.finish_if_complete(operation.id)


def _valid_tokens(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    valid: dict[str, None] = {}
    rejected: list[str] = []
    for token in tokens:
        try:
            check_device_token(token)
        except DomainError:
            rejected.append(token)
            continue
        valid[token] = None
    return list(valid), rejected
