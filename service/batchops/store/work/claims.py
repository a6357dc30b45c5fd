"""Claiming elements for processing: compare-and-set Unprocessed -> Processing under a lease,
taking over elements whose lease expired, and renewing the leases of a batch still running."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from batchops.domain import BatchElement, ElementProcessingStatus
from batchops.store.batch_store import utcnow
from batchops.store.counters import arrive, leave
from batchops.store.documents import element_from_document
from batchops.store.fields import ATTEMPTS, CLAIM, ID, LEASE_UNTIL, OP, STATUS
from batchops.store.id_batches import id_batches
from batchops.store.work.collections import WorkCollections

_EL = ElementProcessingStatus
_UNPROCESSED = _EL.UNPROCESSED.value
_PROCESSING = _EL.PROCESSING.value
# Elements a claim takes over from an expired lease carry the claim's token plus this suffix:
# they were Processing already (their counters do not move), and the mark tells them apart from
# the ones the same claim moved out of Unprocessed. Both are read back as the claim's.
RECLAIM_SUFFIX = "r"


@dataclass(frozen=True)
class ClaimedElement:
    element: BatchElement
    claim: str


class Claims:
    def __init__(self, collections: WorkCollections) -> None:
        self._operations = collections.operations
        self._elements = collections.elements
        self._piece = collections.in_filter_ids

    def claim(self, wanted: Mapping[uuid.UUID, uuid.UUID], lease: timedelta) -> list[ClaimedElement]:
        """Unprocessed -> Processing for those of ``wanted`` (element id -> operation id) still
        unprocessed, plus those whose Processing lease has expired (their worker died). Only an
        element stored under the operation named for it is claimed; final ones are left alone."""
        by_operation: dict[uuid.UUID, dict[str, uuid.UUID]] = defaultdict(dict)
        for element_id, operation_id in wanted.items():
            by_operation[operation_id][str(element_id)] = element_id
        now = utcnow()
        claim = uuid.uuid4().hex
        claimed: list[ClaimedElement] = []
        for operation_id, ids in by_operation.items():
            op = str(operation_id)
            fresh = self._claim_unprocessed(op, list(ids), claim, now, lease)
            if fresh < len(ids):
                self._take_over_expired(op, list(ids), claim + RECLAIM_SUFFIX, now, lease)
            claimed.extend(self._read_back(operation_id, ids, claim))
        return claimed

    def _claim_unprocessed(
        self, op: str, ids: Sequence[str], claim: str, now: datetime, lease: timedelta
    ) -> int:
        """Unprocessed -> Processing under ``claim``, counters moved around it; returns how many."""
        leave(self._operations, op, _EL.UNPROCESSED, len(ids))
        fresh = 0
        for part in id_batches(ids, self._piece):
            fresh += self._elements.update_many(
                {ID: {"$in": list(part)}, OP: op, STATUS: _UNPROCESSED},
                {
                    "$set": {STATUS: _PROCESSING, CLAIM: claim, LEASE_UNTIL: now + lease},
                    "$inc": {ATTEMPTS: 1},
                },
            ).modified_count
        arrive(self._operations, op, _EL.UNPROCESSED, _EL.PROCESSING, attempted=len(ids), moved=fresh)
        return fresh

    def _take_over_expired(
        self, op: str, ids: Sequence[str], claim: str, now: datetime, lease: timedelta
    ) -> None:
        """Processing elements whose lease expired (their worker died) pass to ``claim``."""
        for part in id_batches(ids, self._piece):
            self._elements.update_many(
                {ID: {"$in": list(part)}, OP: op, STATUS: _PROCESSING, LEASE_UNTIL: {"$lt": now}},
                {"$set": {CLAIM: claim, LEASE_UNTIL: now + lease}, "$inc": {ATTEMPTS: 1}},
            )

    def _read_back(
        self, operation_id: uuid.UUID, ids: Mapping[str, uuid.UUID], claim: str
    ) -> list[ClaimedElement]:
        """The elements of ``ids`` (stored id -> id) now under ``claim``, in one query: the claim
        token is this call's own, so the operation's Processing elements that carry it are
        exactly ours, without ten ``_id $in`` pieces. The query is exactly the (op, status) index
        range, what the operation's consumers hold right now, and the token is compared here:
        with it in the query, SecantusDB (the development server) scanned every element of the
        collection on every batch (0.6 s per batch with a 15,000-element operation). The ids and
        the operation id already parsed are reused (parsing two UUIDs per element was most of
        building one)."""
        claimed: list[ClaimedElement] = []
        ours = (claim, claim + RECLAIM_SUFFIX)
        for doc in self._elements.find({OP: str(operation_id), STATUS: _PROCESSING}):
            token = doc.get(CLAIM)
            if token not in ours:
                continue  # another consumer's
            element_id = ids.get(doc[ID])
            if element_id is not None:  # always: the token went only to elements of ``ids``
                element = element_from_document(doc, element_id=element_id, operation_id=operation_id)
                claimed.append(ClaimedElement(element, token))
        return claimed

    def renew(self, claimed: Sequence[ClaimedElement], lease: timedelta) -> None:
        """Push the lease of elements we still hold further out (only while our claim holds)."""
        until = utcnow() + lease
        for part in id_batches(claimed, self._piece):
            self._elements.update_many(
                {
                    ID: {"$in": [str(c.element.id) for c in part]},
                    CLAIM: {"$in": list({c.claim for c in part})},
                    STATUS: _PROCESSING,
                },
                {"$set": {LEASE_UNTIL: until}},
            )

    def hand_back(self, claimed: Sequence[ClaimedElement], ran: bool = False) -> int:
        """Processing -> Unprocessed for elements we still hold, giving back the attempt their
        claim counted: they did not run (a pause, a shutdown, an unavailable dependency), so
        another claim takes them as if this one never happened. ``ran``: their calls were made
        (a stop could not report their failures): the attempt stays. Returns how many moved."""
        by_operation: dict[str, list[ClaimedElement]] = defaultdict(list)
        for c in claimed:
            by_operation[str(c.element.operation_id)].append(c)
        moved_total = 0
        for op, members in by_operation.items():
            leave(self._operations, op, _EL.PROCESSING, len(members))
            moved = 0
            for part in id_batches(members, self._piece):
                moved += self._elements.update_many(
                    {
                        ID: {"$in": [str(c.element.id) for c in part]},
                        OP: op,
                        STATUS: _PROCESSING,
                        CLAIM: {"$in": list({c.claim for c in part})},
                    },
                    {
                        "$set": {STATUS: _UNPROCESSED, CLAIM: None, LEASE_UNTIL: None},
                        "$inc": {ATTEMPTS: 0 if ran else -1},
                    },
                ).modified_count
            arrive(self._operations, op, _EL.PROCESSING, _EL.UNPROCESSED, attempted=len(members), moved=moved)
            moved_total += moved
        return moved_total

    def element_operations(self, element_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The stored operation of each of ``element_ids`` that exists."""
        found: dict[uuid.UUID, uuid.UUID] = {}
        for part in id_batches([str(e) for e in element_ids], self._piece):
            for doc in self._elements.find({ID: {"$in": list(part)}}, {OP: 1}):
                found[uuid.UUID(doc[ID])] = uuid.UUID(doc[OP])
        return found
