"""``BATCHOPS_MONGODB_IN_FILTER_IDS`` on a real MongoDB-protocol server: a claim, a renewal, a
hand-back and the outcome writes take batch size / piece size ``_id $in`` commands each, and the
same elements end the same way whatever the piece size."""

from __future__ import annotations

from datetime import timedelta

import pytest

from batchops.devstack import Endpoints
from batchops.domain import element_id_for
from batchops.store.work.outcomes import ElementResult
from batchops.store.work_store import WorkStore
from support.store import ElementCommands, initialized_operation, recorded_tenant_database

ELEMENTS_IN_BATCH = 120
LEASE = timedelta(seconds=60)


@pytest.mark.parametrize(("piece", "commands"), [(50, 3), (500, 1)])
def test_element_writes_take_one_command_per_piece(
    servers: Endpoints, unique_name: str, piece: int, commands: int
) -> None:
    recorded = ElementCommands()
    with recorded_tenant_database(servers, unique_name, "piecetest-", recorded) as database:
        work = WorkStore(database, in_filter_ids=piece)
        tokens = [f"device-{i:04d}" for i in range(ELEMENTS_IN_BATCH)]
        operation = initialized_operation(database, work, tokens)
        wanted = {element_id_for(operation.id, token): operation.id for token in tokens}

        recorded.sent.clear()
        claimed = work.claims.claim(wanted, LEASE)
        assert (len(claimed), len(recorded.named("update"))) == (ELEMENTS_IN_BATCH, commands)

        recorded.sent.clear()
        work.claims.renew(claimed, LEASE)
        assert len(recorded.named("update")) == commands

        recorded.sent.clear()
        assert work.claims.hand_back(claimed[:60]) == 60
        assert len(recorded.named("update")) == (2 if piece == 50 else 1)

        kept = claimed[60:]
        results = [ElementResult(c.element.id, operation.id, succeeded=True) for c in kept]
        assert work.outcomes.record_results(results, {c.element.id: c.claim for c in kept}) == 60
        counts = work.operations.operation(operation.id)
        assert counts is not None and (counts.counts.unprocessed, counts.counts.succeeded) == (60, 60)
