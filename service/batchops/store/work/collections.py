"""The four collections of a tenant database the pipeline's store parts work on."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.collection import Collection
from pymongo.database import Database

from batchops.store.database import ELEMENTS, OPERATIONS, TARGETS, TOMBSTONES
from batchops.store.documents import Document
from batchops.store.id_batches import IN_FILTER_IDS


@dataclass(frozen=True)
class WorkCollections:
    operations: Collection[Document]
    elements: Collection[Document]
    targets: Collection[Document]
    tombstones: Collection[Document]
    # Ids per ``_id $in`` filter of element writes (see ``store.id_batches``).
    in_filter_ids: int = IN_FILTER_IDS

    @classmethod
    def of(cls, database: Database[Document], in_filter_ids: int = IN_FILTER_IDS) -> WorkCollections:
        return cls(
            database[OPERATIONS], database[ELEMENTS], database[TARGETS], database[TOMBSTONES], in_filter_ids
        )
