"""Recording what processing claimed elements came to: Processing -> Succeeded/Failed where our
claim still holds, in bulk, with the counters moved by what actually changed."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

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
from batchops.store.work.outcome_updates import piece_update

_EL = ElementProcessingStatus
_PROCESSING = _EL.PROCESSING.value

# (operation, succeeded): the outcomes of one operation that moved its elements to one status.
_Outcome = tuple[uuid.UUID, bool]
# One result and its ``$set``; results of one shape (operation, outcome, metadata keys) have
# ``$set``s with the same fields.
_Change = tuple["ElementResult", Document]
_Shape = tuple[uuid.UUID, bool, tuple[str, ...]]


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
        self._piece = collections.in_filter_ids

    def record_results(
        self,
        results: Sequence[ElementResult],
        claims: Mapping[uuid.UUID, str],
        owed: Owed | None = None,
        spare: Mapping[str, int] | None = None,
    ) -> int:
        """Processing -> Succeeded/Failed, only where our claim still holds; moves the counters by
        what actually changed: Processing is lowered before the element write, the final statuses
        raised after it. Returns the number recorded.

        With ``owed``, the raise is left in it instead, and what it already holds for an operation
        goes into that operation's one counter write before the element write (a flush costs one
        counter write, not two); ``settle`` writes the rest. Without, it is written at once.

        With ``owed``, that counter write also lowers an operation's Processing by its ``spare``
        (operation id -> count; at most the elements of it still to be recorded) more than this
        call needs, kept in ``owed`` as Processing to give back: the next calls use it up before
        they need a counter write of their own (a batch's small outcome flushes then cost one
        element write each, and a counter write every ``spare`` elements). Processing shows up to
        ``spare`` fewer than are running meanwhile: behind, never ahead; ``settle`` gives the rest
        back."""
        now = utcnow()
        pending: Owed = owed if owed is not None else {}
        spares: Mapping[str, int] = spare if spare is not None and owed is not None else {}
        attempted = count_by_operation(r.operation_id for r in results)
        for op, count in attempted.items():
            counts = pending.pop(op, Counter())
            if counts[_EL.PROCESSING] >= count:  # taken off before: no counter write now
                counts[_EL.PROCESSING] -= count
                pending[op] = counts
                continue
            extra = max(spares.get(op, 0), 0)
            counts[_EL.PROCESSING] -= count + extra
            move_counts(self._operations, op, counts, now=now if _finals(counts) else None)
            pending[op] = Counter({_EL.PROCESSING: extra})
        changed_by = self._write_outcomes(_group_by_shape(results, now), claims)
        for op, count in attempted.items():
            succeeded, failed = changed_by[(uuid.UUID(op), True)], changed_by[(uuid.UUID(op), False)]
            pending.setdefault(op, Counter()).update(
                {_EL.SUCCEEDED: succeeded, _EL.FAILED: failed, _EL.PROCESSING: count - succeeded - failed}
            )
        if owed is None:
            self.settle(pending)
        return sum(changed_by.values())

    def _write_outcomes(
        self, groups: Mapping[_Shape, list[_Change]], claims: Mapping[uuid.UUID, str]
    ) -> dict[_Outcome, int]:
        """Write the grouped outcomes; returns how many elements each outcome changed.

        One ``update_many`` per id piece of a group, compare-and-set on the claim, whether the
        piece's outcomes share their fields or not (see ``piece_update``): a per-element
        ``UpdateOne`` would cost the server a write (a transaction on SecantusDB) each."""
        changed_by: dict[_Outcome, int] = defaultdict(int)
        for (operation_id, succeeded, _), members in groups.items():
            for part in id_batches(members, self._piece):
                ids = [str(result.element_id) for result, _ in part]
                changed_by[(operation_id, succeeded)] += self._elements.update_many(
                    {
                        ID: {"$in": ids},
                        STATUS: _PROCESSING,
                        CLAIM: {"$in": list({claims[result.element_id] for result, _ in part})},
                    },
                    piece_update(ids, [changes for _, changes in part]),
                ).modified_count
        return changed_by

    def settle(self, owed: Owed) -> None:
        """Write the counter changes ``record_results`` left owed (their elements are stored)."""
        now = utcnow()
        for op, changes in owed.items():
            move_counts(self._operations, op, changes, now=now if _finals(changes) else None)
        owed.clear()


def count_by_operation(operation_ids: Iterable[uuid.UUID]) -> Counter[str]:
    """How many of each operation, keyed by its stored id (each id formatted once, not per element)."""
    return Counter({str(op): n for op, n in Counter(operation_ids).items()})


def _group_by_shape(results: Sequence[ElementResult], now: datetime) -> dict[_Shape, list[_Change]]:
    """Results grouped by operation, outcome and the fields their ``$set`` has, with that ``$set``."""
    groups: dict[_Shape, list[_Change]] = {}
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
        shape = (result.operation_id, result.succeeded, tuple(sorted(result.metadata)))
        groups.setdefault(shape, []).append((result, changes))
    return groups


def _finals(changes: Mapping[ElementProcessingStatus, int]) -> bool:
    """Whether ``changes`` count elements into a final status (progress: the operation is touched)."""
    return bool(changes.get(_EL.SUCCEEDED) or changes.get(_EL.FAILED))
