"""Issue 12, items 4 and 6: parameter/metadata sizes are bounded up front, nothing is sent twice,
and list pages are bounded by bytes as well as by count (real gRPC server, real datastore)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from pymongo.database import Database

from batchops.config import Settings, with_overrides
from batchops.domain.validation import MAX_MAP_BYTES
from batchops.messaging.codecs import encode_operation_chunk
from batchops.service import BatchOpsService
from batchops.store.database import OPERATIONS, TARGETS
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common
from support.services import start_store_only_service

Metadata = tuple[tuple[str, str], ...]
Stub = Any
# What librdkafka carries by default (message.max.bytes): an operation's own fields must leave
# almost all of it to the device tokens of its record.
KAFKA_DEFAULT_RECORD_BYTES = 1_000_000


def command_invocation(
    stub: Stub, md: Metadata, values: dict[str, str], tokens: list[str]
) -> bm.GBatchOperation:
    request = bm.GBatchCommandInvocationCreateRequest(
        commandToken="reboot", parameters=values, deviceTokens=tokens
    )
    response = stub.CreateBatchCommandInvocation(
        bms.GCreateBatchCommandInvocationRequest(request=request), metadata=md
    )
    return response.batchOperation  # type: ignore[no-any-return]


def test_oversized_parameter_values_are_refused_up_front_and_nothing_is_written(
    stub: Stub, md: Metadata, tenant_db: Database[dict[str, object]]
) -> None:
    values = {f"p{i:02d}": "v" * 8192 for i in range(64)}  # the 64 x 8 KB (~525 KB request)
    with pytest.raises(grpc.RpcError) as info:
        command_invocation(stub, md, values, ["dev-1", "dev-2"])
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    assert info.value.details().startswith("9400:"), info.value.details()
    assert str(MAX_MAP_BYTES) in info.value.details()
    assert tenant_db[OPERATIONS].count_documents({}) == 0
    assert tenant_db[TARGETS].count_documents({}) == 0


def test_largest_allowed_operation_is_sent_once_and_fits_a_default_kafka_record(
    stub: Stub, md: Metadata
) -> None:
    values = {f"p{i:02d}": "v" * (MAX_MAP_BYTES // 8 - 3) for i in range(8)}  # just under the limit
    operation = command_invocation(stub, md, values, ["dev-1"])
    assert dict(operation.metadata) == values
    assert not operation.entityInformation.metadata  # no second copy
    # The operations record: the operation plus a full chunk of 10,000 typical device tokens.
    record = encode_operation_chunk(operation, [f"device-{i:08d}" for i in range(10_000)], 0, 1)
    assert len(record) < KAFKA_DEFAULT_RECORD_BYTES


def test_metadata_updates_cannot_grow_an_operation_past_the_limit(stub: Stub, md: Metadata) -> None:
    operation = command_invocation(stub, md, {"a": "x" * 8000}, ["dev-1"])
    update = bms.GUpdateBatchOperationRequest(batchOperationId=operation.id)
    for i in range(MAX_MAP_BYTES // 8000 + 1):
        update.request.metadata.clear()
        update.request.metadata[f"k{i}"] = "y" * 8000
        try:
            stub.UpdateBatchOperation(update, metadata=md)
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.INVALID_ARGUMENT, exc.details()
            break
    else:
        pytest.fail("merged metadata grew past the limit")
    stored = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=operation.id), metadata=md
    ).batchOperation
    assert sum(len(k) + len(v) for k, v in stored.metadata.items()) <= MAX_MAP_BYTES


@pytest.fixture
def small_page_service(api_settings: Settings) -> Iterator[BatchOpsService]:
    settings = with_overrides(api_settings, **{"max_page_bytes": 512 * 1024})
    service = start_store_only_service(settings)
    yield service
    service.stop()


def test_list_pages_stop_at_the_byte_budget_and_keep_the_total(
    small_page_service: BatchOpsService, md: Metadata, tenant_db: Database[dict[str, object]]
) -> None:
    # A client with gRPC's default 4 MiB receive limit, as SiteWhere's own clients have.
    with grpc.insecure_channel(f"127.0.0.1:{small_page_service.port}") as channel:
        stub = batch_management_pb2_grpc.BatchManagementStub(channel)
        big = {f"m{i}": "z" * 8000 for i in range(7)}  # ~56 KB of metadata per operation
        for _ in range(20):
            command_invocation(stub, md, big, ["dev-1"])
        listing = bms.GListBatchOperationsRequest(
            criteria=bm.GBatchOperationSearchCriteria(paging=common.GPaging(pageNumber=1, pageSize=20))
        )
        results = stub.ListBatchOperations(listing, metadata=md).results
        assert results.count == 20
        assert 1 <= len(results.batchOperations) < 20  # 20 x 56 KB does not fit 512 KiB
        assert results.ByteSize() <= 512 * 1024
        assert all(dict(op.metadata) == big for op in results.batchOperations)
        # Smaller pages reach every operation.
        seen = set()
        size = len(results.batchOperations)
        for page in range(1, 20 // size + 2):
            listing.criteria.paging.pageNumber = page
            listing.criteria.paging.pageSize = size
            seen.update(
                op.token for op in stub.ListBatchOperations(listing, metadata=md).results.batchOperations
            )
        assert len(seen) == 20
