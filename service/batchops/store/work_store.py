"""The pipeline's view of a tenant's store: one part per concern, sharing one database.

Engine code reaches the part it uses (``work.claims.claim(...)``); each part's module says what
it guarantees (see ``batchops.store.work``).
"""

from __future__ import annotations

from pymongo.database import Database

from batchops.store.documents import Document
from batchops.store.id_batches import IN_FILTER_IDS
from batchops.store.work.claims import Claims
from batchops.store.work.collections import WorkCollections
from batchops.store.work.control import Control
from batchops.store.work.finishing import Finishing
from batchops.store.work.initialization import Initialization
from batchops.store.work.operations import Operations
from batchops.store.work.outcomes import Outcomes
from batchops.store.work.recovery import RecoveryQueries


class WorkStore:
    def __init__(self, database: Database[Document], *, in_filter_ids: int = IN_FILTER_IDS) -> None:
        self.collections = WorkCollections.of(database, in_filter_ids)
        self.operations = Operations(self.collections)
        self.initialization = Initialization(self.collections, self.operations)
        self.claims = Claims(self.collections)
        self.outcomes = Outcomes(self.collections)
        self.finishing = Finishing(self.collections, self.operations)
        self.recovery = RecoveryQueries(self.collections, self.operations)
        self.control = Control(self.collections)
