"""The four collections of a tenant database the pipeline's store parts work on."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.collection import Collection
from pymongo.database import Database

from batchops.store.database import ELEMENTS, OPERATIONS, TARGETS, TOMBSTONES
from batchops.store.documents import Document


@dataclass(frozen=True)
class WorkCollections:
    operations: Collection[Document]
    elements: Collection[Document]
    targets: Collection[Document]
    tombstones: Collection[Document]

    @classmethod
    def of(cls, database: Database[Document]) -> WorkCollections:
        return cls(database[OPERATIONS], database[ELEMENTS], database[TARGETS], database[TOMBSTONES])
