"""Per-status element counters on the operation document.

An element's status and its operation's counters live in two documents, so no single write moves
both. The order of the writes keeps every counter at or below the number of elements it counts:
a counter is decreased *before* the elements leave its status (``leave``) and increased *after*
they arrived in the new one (``arrive``, which also gives back what was taken for elements that
did not move). A crash or a lost connection between the writes therefore leaves counters behind
(lagging), never ahead; the lag stays until the operation finishes, which writes the exact counts.

Counters move only while the operation is not final: finishing writes the exact counts taken from
the elements, and a late increment from a worker must not spoil them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from batchops.domain import ElementProcessingStatus
from batchops.domain.statuses import FINAL_OPERATION_STATUSES
from batchops.store.fields import COUNT_FIELDS, ID, STATUS, TOTAL, UPDATED_DATE

_FINAL = [status.value for status in FINAL_OPERATION_STATUSES]

Operations = Collection[dict[str, Any]]
# Operation id -> counter changes owed for elements already moved: written with the operation's
# next counter write (one write instead of two per outcome flush), lagging until then.
Owed = dict[str, Counter[ElementProcessingStatus]]


def move_counts(
    operations: Operations,
    operation_id: uuid.UUID | str,
    changes: Mapping[ElementProcessingStatus, int],
    *,
    total: int = 0,
    now: datetime | None = None,
) -> None:
    increments: dict[str, int] = {COUNT_FIELDS[status]: n for status, n in changes.items() if n}
    if total:
        increments[TOTAL] = total
    if not increments:
        return
    update: dict[str, Any] = {"$inc": increments}
    if now is not None:
        update["$set"] = {UPDATED_DATE: now}
    operations.update_one({ID: str(operation_id), STATUS: {"$nin": _FINAL}}, update)


def leave(
    operations: Operations, operation_id: uuid.UUID | str, old: ElementProcessingStatus, count: int
) -> None:
    """Before up to ``count`` elements are moved out of ``old``: take them off its counter."""
    move_counts(operations, operation_id, {old: -count})


def arrive(
    operations: Operations,
    operation_id: uuid.UUID | str,
    old: ElementProcessingStatus,
    new: ElementProcessingStatus,
    *,
    attempted: int,
    moved: int,
    now: datetime | None = None,
) -> None:
    """After the element write that ``leave`` announced: count the ``moved`` ones into ``new`` and
    give ``old`` back the ones that did not move."""
    move_counts(operations, operation_id, {new: moved, old: attempted - moved}, now=now)
