"""A stopping engine's initializer gives up its chunk at the next slice (left uncommitted), so
shutdown waits for one database write of at most INSERT_SLICE elements, not a whole chunk."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import pytest

from batchops.domain import BatchOperation
from batchops.engine.consumer_loop import Interrupted
from batchops.engine.initializer import INSERT_SLICE, Initializer, InitializerGates, InitializerOutputs
from batchops.messaging.codecs import encode_operation_chunk
from batchops.store import utcnow
from batchops.wire import batch_model_pb2 as bm


class FakeRecord:
    def __init__(self, value: bytes) -> None:
        self._value = value

    def value(self) -> bytes:
        return self._value


class FakeInitialization:
    """The initialization calls the initializer makes, recorded; the last insert may flip ``stop``."""

    def __init__(self, stop_after_inserts: int) -> None:
        self.inserted: list[int] = []
        self._stop_after = stop_after_inserts
        self.stop = False

    def begin_initialization(self, _op: uuid.UUID) -> None: ...

    def chunks_done(self, _op: uuid.UUID) -> tuple[set[int], int]:
        return set(), 0

    def store_chunk_targets(self, _op: uuid.UUID, _index: int, _tokens: Sequence[str]) -> None: ...

    def insert_chunk_elements(
        self,
        _op: uuid.UUID,
        _index: int,
        _stride: int,
        tokens: Sequence[str],
        start: int = 0,
        element_ids: Sequence[uuid.UUID] | None = None,
    ) -> int:
        self.inserted.append(len(tokens))
        if len(self.inserted) >= self._stop_after:
            self.stop = True
        return len(tokens)


class FakePublisher:
    def __init__(self) -> None:
        self.published = 0

    def publish_elements(self, works: Any, *_args: Any, **_kwargs: Any) -> int:
        self.published += sum(1 for _ in works)
        return self.published


class FakeExternal:
    def __init__(self, operation: BatchOperation) -> None:
        self._operation = operation

    def resolve(self, _chunk: Any) -> BatchOperation:
        return self._operation


class FakeBeat:
    def activity(self) -> None: ...

    def beat(self, _op: uuid.UUID) -> None: ...


def _initializer(
    work: FakeInitialization, publisher: FakePublisher, operation: BatchOperation
) -> Initializer:
    return Initializer(
        cast(Any, SimpleNamespace(initialization=work)),
        InitializerOutputs(cast(Any, publisher), cast(Any, None)),
        cast(Any, FakeExternal(operation)),
        cast(Any, None),
        cast(Any, FakeBeat()),
        "tenant",
        gates=InitializerGates(stopping=lambda: work.stop),
    )


def test_stopping_interrupts_between_insert_slices_and_publishes_nothing() -> None:
    operation = BatchOperation(id=uuid.uuid4(), token="op", operation_type="Noop", created_date=utcnow())
    tokens = [f"d-{i}" for i in range(3 * INSERT_SLICE + 5)]
    record = FakeRecord(encode_operation_chunk(bm.GBatchOperation(token="op"), tokens, 0, 1))
    work, publisher = FakeInitialization(stop_after_inserts=1), FakePublisher()
    with pytest.raises(Interrupted):
        _initializer(work, publisher, operation).handle_batch([cast(Any, record)])
    assert work.inserted == [INSERT_SLICE]
    assert publisher.published == 0


def test_an_engine_already_stopping_starts_no_chunk() -> None:
    operation = BatchOperation(id=uuid.uuid4(), token="op", operation_type="Noop", created_date=utcnow())
    record = FakeRecord(encode_operation_chunk(bm.GBatchOperation(token="op"), ["d-1"], 0, 1))
    work, publisher = FakeInitialization(stop_after_inserts=1), FakePublisher()
    work.stop = True
    with pytest.raises(Interrupted):
        _initializer(work, publisher, operation).handle_batch([cast(Any, record)])
    assert work.inserted == []
