"""Handler preparation: before a consumer batch's handler calls start, each operation's handler
that can (``PreparingHandler``) looks up in one go what its calls would otherwise each look up
alone. Best effort: a preparation that fails, or that a stop interrupts, leaves its elements
unprepared, and their handler calls do the lookups themselves."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

from batchops.domain import BatchElement, BatchOperation
from batchops.engine.handler_pool import HandlerPool
from batchops.engine.handlers import HandlerBatch, PreparingHandler
from batchops.engine.processing_setup import HandlerAccess
from batchops.store.work.claims import ClaimedElement

log = logging.getLogger(__name__)


def prepare_batch(
    pool: HandlerPool,
    tenant_id: str,
    handlers: HandlerAccess,
    options: Mapping[str, Mapping[str, Any]],
    claimed: Sequence[ClaimedElement],
    operations: Mapping[uuid.UUID, BatchOperation],
    stop: Future[None],
) -> dict[uuid.UUID, object]:
    """Operation id -> what its handler prepared, for the operations whose preparation succeeded.
    Runs on ``pool`` (the calls are the handlers' own) and returns early once ``stop`` is done.
    Nothing is prepared while a dependency's circuit is open: its probe decides when to call."""
    if not handlers.outages.circuits.closed:
        return {}
    elements: dict[uuid.UUID, list[BatchElement]] = defaultdict(list)
    for claim in claimed:
        elements[claim.element.operation_id].append(claim.element)
    started: dict[Future[object], uuid.UUID] = {}
    for operation_id, batch_elements in elements.items():
        operation = operations[operation_id]
        handler = handlers.registry.get(operation.operation_type)
        if not isinstance(handler, PreparingHandler):
            continue
        batch = HandlerBatch(
            tenant_id=tenant_id,
            operation=operation,
            elements=batch_elements,
            services=handlers.services,
            options=options.get(operation.operation_type, {}),
            auth_token=handlers.auth_token(),
        )
        started[pool.submit(handler.prepare, batch)] = operation_id
    pending: set[Future[Any]] = set(started)
    while pending and not stop.done():
        _, pending = wait([*pending, stop], return_when=FIRST_COMPLETED)
        pending.discard(stop)
    prepared: dict[uuid.UUID, object] = {}
    for future, operation_id in started.items():
        if not future.done():
            continue  # stopping: not waited for
        if (error := future.exception()) is not None:
            log.info("handler preparation failed; the elements look up alone: %s", error)
            continue
        prepared[operation_id] = future.result()
    return prepared
