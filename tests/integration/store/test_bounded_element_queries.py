"""The element queries of every batch and every recovery sweep read only the operation's
in-flight elements, however many it has: the server examines its (op, status) index range, not
the collection. Checked with the server's own explain of the very query sent (SecantusDB, the
development server, scans the whole collection as soon as a predicate outside the index remains)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pymongo.database import Database

from batchops.devstack import Endpoints
from batchops.domain import element_id_for
from batchops.store.work_store import WorkStore
from support.store import ElementCommands, initialized_operation, recorded_tenant_database

ELEMENTS_IN_OPERATION = 2000
CLAIMED = 20


@pytest.fixture
def store(servers: Endpoints, unique_name: str) -> Iterator[tuple[Database[Any], WorkStore, ElementCommands]]:
    commands = ElementCommands()
    with recorded_tenant_database(servers, unique_name, "boundedq-", commands) as database:
        yield database, WorkStore(database), commands


def _initialized_operation(database: Database[Any], work: WorkStore) -> dict[Any, Any]:
    tokens = [f"device-{i:05d}" for i in range(ELEMENTS_IN_OPERATION)]
    operation = initialized_operation(database, work, tokens)
    return {element_id_for(operation.id, token): operation.id for token in tokens}


def _examined(database: Database[Any], find: dict[str, Any]) -> int:
    """What the server looked at to answer ``find``: the more of its index keys and documents.
    The query must carry no hint: SecantusDB's hinted plan walks the whole index, and its explain
    does not show it."""
    assert "hint" not in find, find
    explain = {key: find[key] for key in ("find", "filter", "sort", "limit") if key in find}
    stats = database.command("explain", explain, verbosity="executionStats")["executionStats"]
    return max(int(stats["totalKeysExamined"]), int(stats["totalDocsExamined"]))


def test_a_claims_read_back_examines_only_the_operations_processing_elements(
    store: tuple[Database[Any], WorkStore, ElementCommands],
) -> None:
    database, work, commands = store
    wanted = _initialized_operation(database, work)
    some = dict(list(wanted.items())[:CLAIMED])

    commands.sent.clear()
    claimed = work.claims.claim(some, timedelta(seconds=60))

    assert {c.element.id for c in claimed} == set(some)
    assert len(commands.named("find")) == 1, commands.sent  # the read-back, in one query
    assert _examined(database, commands.named("find")[0]) <= CLAIMED


def test_the_expired_lease_sweep_examines_only_the_operations_processing_elements(
    store: tuple[Database[Any], WorkStore, ElementCommands],
) -> None:
    database, work, commands = store
    wanted = _initialized_operation(database, work)
    items = list(wanted.items())
    expired = work.claims.claim(dict(items[:CLAIMED]), timedelta(seconds=-60))
    held = work.claims.claim(dict(items[CLAIMED : 2 * CLAIMED]), timedelta(seconds=600))

    commands.sent.clear()
    found = work.recovery.expired_leases()

    assert {c.element.id for c in found} == {c.element.id for c in expired}
    assert not {c.element.id for c in found} & {c.element.id for c in held}
    assert {c.claim for c in found} == {c.claim for c in expired}
    assert len(commands.named("find")) == 1, commands.sent
    assert _examined(database, commands.named("find")[0]) <= 2 * CLAIMED
