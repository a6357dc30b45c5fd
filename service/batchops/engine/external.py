"""Operations that arrive on the operations topic from other services (the Kafka entry point).

A record for an operation the store already knows is the normal path; for a deleted one it is
skipped; for an unknown one the operation is created from the record, built and validated as the
gRPC calls build theirs (``batchops.domain.creation``, then the type's handler), and a record that
fails validation is dead-lettered with the reason.
"""

from __future__ import annotations

import logging
import uuid

from batchops.domain import BatchOperation, BatchOperationStatus, InvalidArgument
from batchops.domain.creation import operation_from, published_operation
from batchops.domain.validation import check_token
from batchops.engine.handlers import HandlerRegistry
from batchops.engine.ports import OperationCatalog, WorkPort
from batchops.messaging.codecs import OperationChunk
from batchops.protocol.convert import operation_status_from_wire
from batchops.store import utcnow

log = logging.getLogger(__name__)

# Operations sent without an id get one derived from their token, so every chunk agrees on it.
_EXTERNAL_NAMESPACE = uuid.UUID("0b6f3c55-2f7e-4a43-9d7c-1c9b2f0e8a61")
TARGETING_TOPIC = "operations topic"


class ExternalOperations:
    def __init__(self, store: OperationCatalog, work: WorkPort, registry: HandlerRegistry) -> None:
        self._store = store
        self._work = work
        self._registry = registry

    def resolve(self, chunk: OperationChunk) -> BatchOperation | None:
        """The operation a record belongs to, created if new; None if it was deleted."""
        operation_id = chunk.operation_id or self._id_from_token(chunk)
        if self._work.operations.deleted([operation_id]):
            log.info("skipping record of a deleted operation", extra={"operation_id": str(operation_id)})
            return None
        known = self._work.operations.operation(operation_id)
        if known is not None:
            return known
        return self._create(operation_id, chunk)

    def _id_from_token(self, chunk: OperationChunk) -> uuid.UUID:
        token = chunk.operation.token
        if not token:
            raise InvalidArgument("The record's batchOperation has neither an id nor a token.")
        existing = self._store.find_operation_id_by_token(check_token(token))
        return existing or uuid.uuid5(_EXTERNAL_NAMESPACE, token)

    def _create(self, operation_id: uuid.UUID, chunk: OperationChunk) -> BatchOperation:
        wire = chunk.operation
        if operation_status_from_wire(wire.processingStatus) != BatchOperationStatus.UNPROCESSED:
            raise InvalidArgument("A new operation must arrive with status Unprocessed.")
        create = published_operation(
            wire.operationType,
            token=wire.token,
            parameters=wire.parameters,
            metadata=wire.metadata,
            targeting=TARGETING_TOPIC,
        )
        if not chunk.device_tokens:
            # As the gRPC call (9400): a new operation needs devices to work on.
            raise InvalidArgument("At least one device token is required.")
        self._registry.validate(create)
        operation = operation_from(create, operation_id, utcnow(), target_chunk_count=chunk.chunk_count)
        created = self._store.insert_operation(operation)
        log.info("operation created from the operations topic", extra={"operation": created.token})
        return created
