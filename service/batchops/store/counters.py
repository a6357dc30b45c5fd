"""Per-status element counters on the operation document.

Counters move with ``$inc`` right after the element change that caused them, and only while the
operation is not final: finishing writes the exact counts taken from the elements themselves, so a
late increment (from a worker that changed an element just before the operation finished) must
not spoil them. Each element change is a compare-and-set that modified exactly the counted
documents, so counters can lag behind (a crash between the two writes) but never run ahead.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from batchops.domain import ElementProcessingStatus
from batchops.domain.statuses import FINAL_OPERATION_STATUSES
from batchops.store.documents import COUNT_FIELDS

_FINAL = [status.value for status in FINAL_OPERATION_STATUSES]


def move_counts(
    operations: Collection[dict[str, Any]],
    operation_id: uuid.UUID | str,
    changes: Mapping[ElementProcessingStatus, int],
    *,
    total: int = 0,
    now: datetime | None = None,
) -> None:
    increments: dict[str, int] = {COUNT_FIELDS[status]: n for status, n in changes.items() if n}
    if total:
        increments["total"] = total
    if not increments:
        return
    update: dict[str, Any] = {"$inc": increments}
    if now is not None:
        update["$set"] = {"updatedDate": now}
    operations.update_one({"_id": str(operation_id), "status": {"$nin": _FINAL}}, update)


def transition(
    old: ElementProcessingStatus, new: ElementProcessingStatus, count: int
) -> dict[ElementProcessingStatus, int]:
    return {old: -count, new: count}
