"""The event relay's side of the operation events outbox (``store.events``): take the pending
events of some operations under a short lease, and remove them once the broker has them.

The lease (``eventClaim``: who and until when, set by compare-and-set) keeps two instances
relaying the same tenant from publishing the same events twice, and keeps one operation's events
in one relay's hands, in order. A relay that dies holding a lease only delays the operation's
events until the lease expires; one whose lease expired while it was still sending may repeat
events another relay sends too (same sequence numbers: consumers drop what they have seen).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.collection import Collection

from batchops.domain import BatchOperation
from batchops.store.batch_store import utcnow
from batchops.store.documents import Document, operation_from_document
from batchops.store.events import (
    EVENT_ID,
    StatusEvent,
    emptied,
    first_sequence,
    pending_filter,
    published_update,
)
from batchops.store.fields import (
    CHUNKS_DONE,
    EVENT_CLAIM,
    ID,
    INVOCATION_PARAMS,
    META,
    PARAMS,
    PENDING_EVENTS,
)

log = logging.getLogger(__name__)

CLAIM_BY = "by"
CLAIM_UNTIL = "until"
DEFAULT_LEASE = timedelta(seconds=30)
# Operations with pending events read per look (normally a handful; more wait for the next look).
MAX_CANDIDATES = 1000
# What the relay does not need of an operation document (large, and never in an event).
_UNUSED_FIELDS: Document = {CHUNKS_DONE: 0, PARAMS: 0, META: 0, INVOCATION_PARAMS: 0}


@dataclass(frozen=True)
class PendingEvent:
    """One stored event with its id (what removes it) and its sequence number."""

    id: str
    sequence: int
    event: StatusEvent


@dataclass(frozen=True)
class PendingBatch:
    """The pending events of one operation, oldest first, taken under ``claim``. ``unreadable``
    holds the ids of malformed events: they can never be published and are removed with the
    others."""

    operation: BatchOperation
    events: list[PendingEvent]
    unreadable: list[str]
    claim: str


class EventOutbox:
    def __init__(self, operations: Collection[Document], lease: timedelta = DEFAULT_LEASE) -> None:
        self._operations = operations
        self._lease = lease

    def take(self, limit: int) -> list[PendingBatch]:
        """Lease the pending events of up to ``limit`` operations nobody else holds (or whose
        holder's lease expired)."""
        now = utcnow()
        # The flag's index alone: the lease is checked here, then by the claim's compare-and-set
        # (a second predicate made SecantusDB scan the collection instead of using the index).
        candidates = self._operations.find(pending_filter(), {ID: 1, EVENT_CLAIM: 1}).limit(MAX_CANDIDATES)
        ids = [doc[ID] for doc in candidates if _lease_free(doc, now)][:limit]
        if not ids:
            return []
        claim = uuid.uuid4().hex
        self._operations.update_many(
            {ID: {"$in": ids}, **free_filter(now)},
            {"$set": {EVENT_CLAIM: {CLAIM_BY: claim, CLAIM_UNTIL: now + self._lease}}},
        )
        # By id, not by the claim's token (no index: a scan of every operation).
        taken = self._operations.find({ID: {"$in": ids}}, _UNUSED_FIELDS)
        return [
            batch for doc in taken if _claim_of(doc) == claim and (batch := _batch(doc, claim)) is not None
        ]

    def published(self, batch: PendingBatch) -> None:
        """Remove the batch's events (by id: events appended meanwhile stay) and end its lease."""
        ids = [pending.id for pending in batch.events] + batch.unreadable
        remove = published_update(ids)
        held = self._operations.update_one(
            {ID: str(batch.operation.id), f"{EVENT_CLAIM}.{CLAIM_BY}": batch.claim},
            {**remove, "$unset": {EVENT_CLAIM: ""}},
        )
        if not held.matched_count:
            # Our lease expired and another relay holds the operation now (or it was deleted):
            # remove what we published, leave its lease alone.
            self._operations.update_one({ID: str(batch.operation.id)}, remove)
        self._operations.update_one(*emptied(str(batch.operation.id)))

    def give_back(self, batch: PendingBatch) -> None:
        """End the lease without removing anything (the send failed: try again soon)."""
        self._operations.update_one(
            {ID: str(batch.operation.id), f"{EVENT_CLAIM}.{CLAIM_BY}": batch.claim},
            {"$unset": {EVENT_CLAIM: ""}},
        )


def free_filter(now: datetime) -> Document:
    """Operations with pending events that no relay holds (or whose holder's lease expired)."""
    return {**pending_filter(), "$or": [{EVENT_CLAIM: None}, {f"{EVENT_CLAIM}.{CLAIM_UNTIL}": {"$lt": now}}]}


def _lease_free(doc: Mapping[str, Any], now: datetime) -> bool:
    claim = doc.get(EVENT_CLAIM)
    if not isinstance(claim, Mapping):
        return True
    until = claim.get(CLAIM_UNTIL)
    if not isinstance(until, datetime):
        return True
    return (until if until.tzinfo is not None else until.replace(tzinfo=UTC)) < now


def _claim_of(doc: Mapping[str, Any]) -> object:
    claim = doc.get(EVENT_CLAIM)
    return claim.get(CLAIM_BY) if isinstance(claim, Mapping) else None


def _batch(doc: Mapping[str, Any], claim: str) -> PendingBatch | None:
    try:
        operation = operation_from_document(doc)
    except (KeyError, ValueError, TypeError):
        # Left under its lease: it comes back once that expires, never holding up the others.
        log.exception("cannot read an operation with pending events", extra={"operation": doc.get(ID)})
        return None
    first = first_sequence(doc)
    events: list[PendingEvent] = []
    unreadable: list[str] = []
    for offset, stored in enumerate(doc.get(PENDING_EVENTS) or []):
        try:
            events.append(PendingEvent(stored[EVENT_ID], first + offset, StatusEvent.from_document(stored)))
        except (KeyError, ValueError, TypeError):
            log.error("dropping a malformed operation event: %r", stored, extra={"operation": doc[ID]})
            if isinstance(stored, Mapping) and EVENT_ID in stored:
                unreadable.append(stored[EVENT_ID])
    return PendingBatch(operation, events, unreadable, claim)
