"""The pipeline's store operations on a real MongoDB-protocol server: chunk counting is exact
under re-runs and cross-chunk repeats; counters never run ahead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from batchops.devstack import Endpoints
from batchops.domain import OperationCreate
from batchops.store import BatchStore, MongoConnector
from batchops.store.work_store import WorkStore

STRIDE = 1_000_000


@pytest.fixture
def stores(servers: Endpoints, unique_name: str) -> Iterator[tuple[BatchStore, WorkStore]]:
    connector = MongoConnector(servers.mongo_uri, "storetest-")
    database = connector.tenant_database(unique_name)
    yield BatchStore(database, target_chunk_size=2), WorkStore(database)
    connector.drop_tenant_database(unique_name)
    connector.close()


def test_chunk_counts_are_exact_under_reruns_and_repeats(stores: tuple[BatchStore, WorkStore]) -> None:
    batch, work = stores
    op = batch.create_operation(OperationCreate(operation_type="Custom"), ["a", "b", "b", "c", "d"])
    # Repeats are dropped within a chunk at once; across chunks at initialization (below).
    assert (op.target_chunk_count, op.device_token_count) == (3, 5)
    assert dict(work.initialization.target_chunks(op.id)) == {0: ["a", "b"], 1: ["b", "c"], 2: ["d"]}
    assert work.initialization.begin_initialization(op.id)
    assert work.initialization.insert_chunk_elements(op.id, 0, STRIDE, ["a", "b"]) == 2
    assert (
        work.initialization.insert_chunk_elements(op.id, 1, STRIDE, ["b", "c"]) == 1
    )  # "b" belongs to chunk 0
    assert (
        work.initialization.insert_chunk_elements(op.id, 0, STRIDE, ["a", "b"]) == 2
    )  # a re-run counts the same
    assert work.initialization.mark_chunk_initialized(op.id, 0, 2)
    assert not work.initialization.mark_chunk_initialized(op.id, 0, 2)  # counted once only
    assert work.initialization.mark_chunk_initialized(op.id, 1, 1)
    current = work.operations.operation(op.id)
    assert current is not None and (current.total_elements, current.counts.unprocessed) == (3, 3)


def test_counters_stop_once_final_and_finishing_writes_exact_counts(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    from datetime import timedelta

    from batchops.store.work.outcomes import ElementResult

    batch, work = stores
    op = batch.create_operation(OperationCreate(operation_type="Custom"), ["a", "b"])
    work.initialization.begin_initialization(op.id)
    work.initialization.mark_chunk_initialized(
        op.id, 0, work.initialization.insert_chunk_elements(op.id, 0, STRIDE, ["a", "b"])
    )
    assert work.initialization.complete_initialization(op.id) is not None
    claimed = work.claims.claim(
        {e.id: op.id for e in work.recovery.unprocessed_elements(op.id)}, timedelta(seconds=30)
    )
    assert len(claimed) == 2
    # A worker that died between its claim and the counter move leaves the counters lagging.
    work.collections.operations.update_one(
        {"_id": str(op.id)}, {"$inc": {"counts.Unprocessed": 1, "counts.Processing": -1}}
    )
    results = [ElementResult(c.element.id, op.id, succeeded=True) for c in claimed]
    # Simulate a lost counter update: record the outcome, then finish from the elements.
    work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed})
    finished = work.finishing.finish_if_complete(op.id)
    assert finished is not None and finished.counts.succeeded == 2
    done: Any = work.operations.operation(op.id)
    assert (done.status.value, done.counts.succeeded, done.total_elements) == ("FinishedSuccessfully", 2, 2)
    assert (done.counts.unprocessed, done.counts.processing) == (0, 0)
    assert (
        work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed}) == 0
    )  # nothing twice
    assert work.finishing.finish_from_elements(op.id) is None  # already final


def test_an_unknown_operation_is_not_claimable(stores: tuple[BatchStore, WorkStore]) -> None:
    from datetime import timedelta

    _batch, work = stores
    assert work.claims.claim({uuid.uuid4(): uuid.uuid4()}, timedelta(seconds=5)) == []


def test_claim_and_record_many_elements_with_mixed_outcomes(stores: tuple[BatchStore, WorkStore]) -> None:
    """More elements than one ``$in`` piece, outcomes that differ per element: every element
    gets exactly its own fields, a second claim takes nothing, counters are exact."""
    from datetime import timedelta

    from batchops.store.work.outcomes import ElementResult

    batch, work = stores
    tokens = [f"d{i:03d}" for i in range(130)]
    op = batch.create_operation(OperationCreate(operation_type="Custom"), tokens)
    work.initialization.begin_initialization(op.id)
    for index, chunk in work.initialization.target_chunks(op.id):
        work.initialization.mark_chunk_initialized(
            op.id, index, work.initialization.insert_chunk_elements(op.id, index, STRIDE, chunk)
        )
    assert work.initialization.complete_initialization(op.id) is not None
    claimed = work.claims.claim(
        {e.id: op.id for e in work.recovery.unprocessed_elements(op.id)}, timedelta(seconds=30)
    )
    assert len(claimed) == 130
    assert (
        work.claims.claim({c.element.id: op.id for c in claimed}, timedelta(seconds=30)) == []
    )  # held: nothing twice

    def outcome(i: int, element_id: uuid.UUID) -> ElementResult:
        if i % 10 == 0:
            return ElementResult(element_id, op.id, succeeded=False, error=f"err-{i}", duration_ms=i)
        return ElementResult(element_id, op.id, succeeded=True, metadata={"n": str(i % 3)}, duration_ms=i % 2)

    by_token = {c.element.device_token: c for c in claimed}
    results = [outcome(i, by_token[token].element.id) for i, token in enumerate(tokens)]
    assert work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed}) == 130
    stored = {e.device_token: e for e in batch.list_elements(op.id, _all()).items}
    for i, token in enumerate(tokens):
        element = stored[token]
        if i % 10 == 0:
            assert (element.status.value, element.error_message, element.duration_ms) == (
                "Failed",
                f"err-{i}",
                i,
            )
        else:
            assert (element.status.value, element.metadata, element.duration_ms) == (
                "Succeeded",
                {"n": str(i % 3)},
                i % 2,
            )
    done: Any = work.finishing.finish_if_complete(op.id)
    assert (done.status.value, done.counts.succeeded, done.counts.failed) == ("FinishedWithErrors", 117, 13)


def test_per_element_outcomes_in_one_piece_keep_the_claim_compare_and_set(
    stores: tuple[BatchStore, WorkStore],
) -> None:
    """Outcomes whose fields differ per element (an invocation id each) are written in one
    statement per piece: each element gets its own values (taken literally, a leading ``$``
    included), and an element whose claim passed to another worker is left alone and not
    counted."""
    from datetime import timedelta

    from batchops.store.work.outcomes import ElementResult

    batch, work = stores
    tokens = ["a", "b", "c", "d"]
    op = batch.create_operation(OperationCreate(operation_type="Custom"), tokens)
    work.initialization.begin_initialization(op.id)
    for index, chunk in work.initialization.target_chunks(op.id):
        work.initialization.mark_chunk_initialized(
            op.id, index, work.initialization.insert_chunk_elements(op.id, index, STRIDE, chunk)
        )
    assert work.initialization.complete_initialization(op.id) is not None
    claimed = work.claims.claim(
        {e.id: op.id for e in work.recovery.unprocessed_elements(op.id)}, timedelta(seconds=30)
    )
    by_token = {c.element.device_token: c for c in claimed}
    stolen = by_token["d"].element.id
    work.collections.elements.update_one({"_id": str(stolen)}, {"$set": {"claim": "another-worker"}})
    values = {"a": "$notAPath", "b": "$$ROOT", "c": "inv-c", "d": "inv-d"}
    results = [
        ElementResult(
            by_token[token].element.id, op.id, succeeded=True, metadata={"inv": values[token]}, duration_ms=i
        )
        for i, token in enumerate(tokens)
    ]
    assert work.outcomes.record_results(results, {c.element.id: c.claim for c in claimed}) == 3
    stored = {e.device_token: e for e in batch.list_elements(op.id, _all()).items}
    for i, token in enumerate(tokens[:3]):
        assert (stored[token].status.value, stored[token].metadata, stored[token].duration_ms) == (
            "Succeeded",
            {"inv": values[token]},
            i,
        )
    assert (stored["d"].status.value, stored["d"].metadata) == ("Processing", {})
    current: Any = work.operations.operation(op.id)
    assert (current.counts.succeeded, current.counts.processing) == (3, 1)


def _all() -> Any:
    from batchops.domain import Paging

    return Paging(page_number=1, page_size=1000)


def test_expired_leases_are_found_per_operation(stores: tuple[BatchStore, WorkStore]) -> None:
    """Found through each in-flight operation's (op, status) index range; live leases and
    Unprocessed elements are not expired ones."""
    from datetime import timedelta

    batch, work = stores
    expired_ids = set()
    for name, lease in (
        ("a", timedelta(seconds=-1)),
        ("b", timedelta(seconds=-1)),
        ("c", timedelta(minutes=5)),
    ):
        op = batch.create_operation(
            OperationCreate(operation_type="Custom"), [f"{name}1", f"{name}2", f"{name}3"]
        )
        work.initialization.begin_initialization(op.id)
        for index, chunk in work.initialization.target_chunks(op.id):
            work.initialization.mark_chunk_initialized(
                op.id, index, work.initialization.insert_chunk_elements(op.id, index, STRIDE, chunk)
            )
        elements = list(work.recovery.unprocessed_elements(op.id))
        claimed = work.claims.claim({e.id: op.id for e in elements[:2]}, lease)  # the third stays Unprocessed
        if lease < timedelta(0):
            expired_ids |= {c.element.id for c in claimed}
    assert {c.element.id for c in work.recovery.expired_leases()} == expired_ids
    assert len(work.recovery.expired_leases(limit=3)) == 3
