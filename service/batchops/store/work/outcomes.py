"""Recording what processing claimed elements came to: Processing -> Succeeded/Failed where our
claim still holds, in bulk, with the counters moved by what actually changed."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import UpdateOne

from batchops.domain import ElementProcessingStatus
from batchops.store.batch_store import utcnow
from batchops.store.counters import Owed, move_counts
from batchops.store.documents import Document
from batchops.store.fields import (
    ATTEMPTS,
    CLAIM,
    DURATION_MS,
    ERROR,
    ID,
    LEASE_UNTIL,
    PROCESSED_DATE,
    STATUS,
    meta_field,
)
from batchops.store.id_batches import id_batches
from batchops.store.limits import MAX_ERROR_CHARS
from batchops.store.work.collections import WorkCollections

_EL = ElementProcessingStatus
_PROCESSING = _EL.PROCESSING.value

# (operation, succeeded): the outcomes of one operation that moved its elements to one status.
_Outcome = tuple[uuid.UUID, bool]
# Results sharing every outcome field, and those fields' ``$set``.
_Group = tuple[Document, list["ElementResult"]]


@dataclass(frozen=True)
class ElementResult:
    """What processing one claimed element came to."""

    element_id: uuid.UUID
    operation_id: uuid.UUID
    succeeded: bool
    metadata: Mapping[str, str] = field(default_factory=dict)
    error: str = ""
    duration_ms: int = 0
    attempts: int = 1


class Outcomes:
    def __init__(self, collections: WorkCollections) -> None:
        self._operations = collections.operations
        self._elements = collections.elements

    def record_results(
        self, results: Sequence[ElementResult], claims: Mapping[uuid.UUID, str], owed: Owed | None = None
    ) -> int:
        """Processing -> Succeeded/Failed, only where our claim still holds; moves the counters by
        what actually changed: Processing is lowered before the element write, the final statuses
        raised after it. Returns the number recorded.

        With ``owed``, the raise is left in it instead, and what it already holds for an operation
        goes into that operation's one counter write before the element write (a flush costs one
        counter write, not two); ``settle`` writes the rest. Without, it is written at once."""
        now = utcnow()
        pending: Owed = owed if owed is not None else {}
        attempted = Counter(str(r.operation_id) for r in results)
        for op, count in attempted.items():
            counts = pending.pop(op, Counter())
            counts[_EL.PROCESSING] -= count
            move_counts(self._operations, op, counts, now=now if _finals(counts) else None)
        changed_by = self._write_outcomes(_group_by_changes(results, now), claims)
        for op, count in attempted.items():
            succeeded, failed = changed_by[(uuid.UUID(op), True)], changed_by[(uuid.UUID(op), False)]
            pending.setdefault(op, Counter()).update(
                {_EL.SUCCEEDED: succeeded, _EL.FAILED: failed, _EL.PROCESSING: count - succeeded - failed}
            )
        if owed is None:
            self.settle(pending)
        return sum(changed_by.values())

    def _write_outcomes(
        self, groups: Mapping[tuple[uuid.UUID, bool, str], _Group], claims: Mapping[uuid.UUID, str]
    ) -> dict[_Outcome, int]:
        """Write the grouped outcomes; returns how many elements each outcome changed.

        Results with the same outcome fields (typically all successes of a fast handler) share one
        ``update_many`` per id piece: a per-element ``UpdateOne`` costs the server a transaction
        each. Outcomes with fields of their own (an invocation id each) share one bulk write per
        operation and outcome: one round trip instead of one per element."""
        changed_by: dict[_Outcome, int] = defaultdict(int)
        singles: dict[_Outcome, list[UpdateOne]] = defaultdict(list)
        for (operation_id, succeeded, _), (changes, members) in groups.items():
            if len(members) == 1:
                singles[(operation_id, succeeded)].append(_update_one(members[0], changes, claims))
                continue
            for part in id_batches(members):
                changed_by[(operation_id, succeeded)] += self._elements.update_many(
                    {
                        ID: {"$in": [str(r.element_id) for r in part]},
                        STATUS: _PROCESSING,
                        CLAIM: {"$in": list({claims[r.element_id] for r in part})},
                    },
                    {"$set": changes},
                ).modified_count
        for outcome, requests in singles.items():
            changed_by[outcome] += self._elements.bulk_write(requests, ordered=False).modified_count
        return changed_by

    def settle(self, owed: Owed) -> None:
        """Write the counter changes ``record_results`` left owed (their elements are stored)."""
        now = utcnow()
        for op, changes in owed.items():
            move_counts(self._operations, op, changes, now=now if _finals(changes) else None)
        owed.clear()


def _group_by_changes(
    results: Sequence[ElementResult], now: datetime
) -> dict[tuple[uuid.UUID, bool, str], _Group]:
    """Results grouped by operation, outcome and the exact ``$set`` they need."""
    groups: dict[tuple[uuid.UUID, bool, str], _Group] = {}
    for result in results:
        status = _EL.SUCCEEDED if result.succeeded else _EL.FAILED
        changes: Document = {
            STATUS: status.value,
            PROCESSED_DATE: now,
            DURATION_MS: result.duration_ms,
            ERROR: result.error[:MAX_ERROR_CHARS],
            LEASE_UNTIL: None,
            ATTEMPTS: result.attempts,
        }
        for key, value in result.metadata.items():
            changes[meta_field(key)] = value
        group = (result.operation_id, result.succeeded, repr(sorted(changes.items())))
        groups.setdefault(group, (changes, []))[1].append(result)
    return groups


def _update_one(result: ElementResult, changes: Document, claims: Mapping[uuid.UUID, str]) -> UpdateOne:
    """One element's outcome, compare-and-set on its claim."""
    return UpdateOne(
        {ID: str(result.element_id), STATUS: _PROCESSING, CLAIM: claims[result.element_id]},
        {"$set": changes},
    )


def _finals(changes: Mapping[ElementProcessingStatus, int]) -> bool:
    """Whether ``changes`` count elements into a final status (progress: the operation is touched)."""
    return bool(changes.get(_EL.SUCCEEDED) or changes.get(_EL.FAILED))
