"""Every BatchManagement RPC over a real channel, on a real MongoDB-protocol server."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import grpc
import pytest

from batchops.protocol.convert import uuid_from_wire, uuid_to_wire
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

Metadata = tuple[tuple[str, str], ...]
Stub = Any


def create_op(stub: Stub, md: Metadata, tokens: list[str], token: str | None = None, **kw: Any) -> Any:
    req = bm.GBatchOperationCreateRequest(
        operationType=kw.pop("operation_type", "Custom"), deviceTokens=tokens, **kw
    )
    if token is not None:
        req.token.value = token
    return stub.CreateBatchOperation(
        bms.GCreateBatchOperationRequest(request=req), metadata=md
    ).batchOperation


def rpc_error(call: Callable[[], Any]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


def assert_status(error: grpc.RpcError, code: grpc.StatusCode, prefix: str | None = None) -> None:
    assert error.code() == code, (error.code(), error.details())
    if prefix is not None:
        assert error.details().startswith(prefix), error.details()


def add_element(stub: Stub, md: Metadata, op_id: Any, device: str, **kw: Any) -> Any:
    req = bm.GBatchElementCreateRequest(deviceToken=device, **kw)
    return stub.CreateBatchElement(
        bms.GCreateBatchElementRequest(batchOperationId=op_id, request=req), metadata=md
    ).element


def update_element(stub: Stub, md: Metadata, element_id: Any, **kw: Any) -> Any:
    req = bm.GBatchElementCreateRequest(**kw)
    return stub.UpdateBatchElement(
        bms.GUpdateBatchElementRequest(elementId=element_id, request=req), metadata=md
    ).element


def update_op(stub: Stub, md: Metadata, op_id: Any, **kw: Any) -> Any:
    req = bm.GBatchOperationUpdateRequest(**kw)
    return stub.UpdateBatchOperation(
        bms.GUpdateBatchOperationRequest(batchOperationId=op_id, request=req), metadata=md
    ).batchOperation


def list_elements(
    stub: Stub, md: Metadata, op_id: Any, page: int = 1, size: int = 0, status: int | None = None
) -> Any:
    criteria = bm.GBatchElementSearchCriteria(paging=common.GPaging(pageNumber=page, pageSize=size))
    if status is not None:
        criteria.processingStatusFilter.processingStatus = status  # type: ignore[assignment]
    return stub.ListBatchElements(
        bms.GListBatchElementsRequest(batchOperationId=op_id, criteria=criteria), metadata=md
    ).results


# ---- tenant header --------------------------------------------------------------------------


def test_missing_tenant_header_is_unauthenticated_as_sitewhere(stub: Stub) -> None:
    error = rpc_error(lambda: stub.GetBatchOperationByToken(bms.GGetBatchOperationByTokenRequest(token="x")))
    assert_status(error, grpc.StatusCode.UNAUTHENTICATED)
    assert error.details() == "Tenant token not passed in metadata."


def test_malformed_tenant_id_is_invalid_argument(stub: Stub) -> None:
    error = rpc_error(
        lambda: stub.GetBatchOperationByToken(
            bms.GGetBatchOperationByTokenRequest(token="x"), metadata=(("tenant", "bad/tenant"),)
        )
    )
    assert_status(error, grpc.StatusCode.INVALID_ARGUMENT, "9400:")


# ---- creation -------------------------------------------------------------------------------


def test_create_operation_persists_and_reads_back(stub: Stub, md: Metadata, tenant_db: Any) -> None:
    op = create_op(
        stub, md, ["d1", "d2", "d2", "d3"], token="op-1", parameters={"p": "v"}, metadata={"m": "1"}
    )
    assert op.token == "op-1"
    assert op.operationType == "Custom"
    assert op.processingStatus == bm.BATCH_OPERATION_STATUS_UNPROCESSED
    assert dict(op.parameters) == {"p": "v"}
    assert dict(op.metadata) == {"m": "1"}
    assert op.deviceTokenCount == 3  # de-duplicated
    assert op.entityInformation.createdDate > 0
    fetched = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert fetched == op
    by_token = stub.GetBatchOperationByToken(bms.GGetBatchOperationByTokenRequest(token="op-1"), metadata=md)
    assert by_token.batchOperation == op
    stored = [
        t
        for chunk in tenant_db["batchtargets"].find({"op": str(uuid_from_wire(op.id, "id"))})
        for t in chunk["tokens"]
    ]
    assert stored == ["d1", "d2", "d3"]


def test_token_is_optional_and_becomes_a_uuid(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["d1"])
    assert uuid.UUID(op.token)


def test_command_invocation_keeps_command_and_parameter_values(stub: Stub, md: Metadata) -> None:
    req = bm.GBatchCommandInvocationCreateRequest(
        commandToken="reboot", parameters={"delay": "5"}, deviceTokens=["a", "b"]
    )
    op = stub.CreateBatchCommandInvocation(
        bms.GCreateBatchCommandInvocationRequest(request=req), metadata=md
    ).batchOperation
    assert op.operationType == "BatchCommandInvocation"
    assert dict(op.parameters) == {"commandToken": "reboot"}
    assert dict(op.metadata) == {"delay": "5"}
    assert op.deviceTokenCount == 2


def test_duplicate_token_is_already_exists_and_writes_nothing(
    stub: Stub, md: Metadata, tenant_db: Any
) -> None:
    create_op(stub, md, ["d1"], token="dup")
    targets_before = tenant_db["batchtargets"].count_documents({})
    error = rpc_error(lambda: create_op(stub, md, ["d9"], token="dup"))
    assert_status(error, grpc.StatusCode.ALREADY_EXISTS, "4360:")
    assert tenant_db["batchoperations"].count_documents({}) == 1
    assert tenant_db["batchtargets"].count_documents({}) == targets_before


@pytest.mark.parametrize(
    ("kwargs", "tokens"),
    [
        ({"operation_type": ""}, ["d1"]),
        ({"operation_type": "bad type!"}, ["d1"]),
        ({}, []),
        ({}, ["ok", ""]),
        ({}, [" padded"]),
        ({}, ["x" * 300]),
        ({"metadata": {"a.b": "1"}}, ["d1"]),
        ({"parameters": {"$where": "1"}}, ["d1"]),
    ],
)
def test_invalid_create_requests_are_rejected_cleanly(
    stub: Stub, md: Metadata, tenant_db: Any, kwargs: dict[str, Any], tokens: list[str]
) -> None:
    error = rpc_error(lambda: create_op(stub, md, tokens, **kwargs))
    assert_status(error, grpc.StatusCode.INVALID_ARGUMENT, "9400:")
    assert tenant_db["batchoperations"].count_documents({}) == 0
    assert tenant_db["batchtargets"].count_documents({}) == 0


@pytest.mark.parametrize("token", ["has space", "x" * 129, "-leading", "slash/token"])
def test_bad_operation_tokens_are_invalid_argument(stub: Stub, md: Metadata, token: str) -> None:
    assert_status(
        rpc_error(lambda: create_op(stub, md, ["d"], token=token)), grpc.StatusCode.INVALID_ARGUMENT, "9400:"
    )


def test_command_invocation_requires_a_command_token(stub: Stub, md: Metadata) -> None:
    req = bm.GBatchCommandInvocationCreateRequest(deviceTokens=["a"])
    error = rpc_error(
        lambda: stub.CreateBatchCommandInvocation(
            bms.GCreateBatchCommandInvocationRequest(request=req), metadata=md
        )
    )
    assert_status(error, grpc.StatusCode.INVALID_ARGUMENT, "9400:")


def test_million_device_tokens_in_one_call(stub: Stub, md: Metadata, tenant_db: Any) -> None:
    tokens = [f"device-{i:07d}" for i in range(1_000_000)]
    req = bm.GBatchCommandInvocationCreateRequest(commandToken="ping", deviceTokens=tokens)
    op = stub.CreateBatchCommandInvocation(
        bms.GCreateBatchCommandInvocationRequest(request=req), metadata=md, timeout=120
    ).batchOperation
    assert op.deviceTokenCount == 1_000_000
    op_id = str(uuid_from_wire(op.id, "id"))
    assert tenant_db["batchtargets"].count_documents({"op": op_id}) == 100
    last = tenant_db["batchtargets"].find_one({"op": op_id, "idx": 99})
    assert last is not None and last["tokens"][-1] == "device-0999999"


# ---- reading and listing --------------------------------------------------------------------


def test_unknown_ids_and_tokens_are_not_found(stub: Stub, md: Metadata) -> None:
    missing = uuid_to_wire(uuid.uuid4())
    assert_status(
        rpc_error(
            lambda: stub.GetBatchOperation(
                bms.GGetBatchOperationRequest(batchOperationId=missing), metadata=md
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "4410:",
    )
    assert_status(
        rpc_error(
            lambda: stub.GetBatchOperationByToken(
                bms.GGetBatchOperationByTokenRequest(token="nope"), metadata=md
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "4420:",
    )
    assert_status(
        rpc_error(lambda: update_element(stub, md, missing, metadata={"a": "b"})),
        grpc.StatusCode.NOT_FOUND,
        "4430:",
    )
    assert_status(
        rpc_error(lambda: stub.GetBatchOperation(bms.GGetBatchOperationRequest(), metadata=md)),
        grpc.StatusCode.INVALID_ARGUMENT,
        "9400:",
    )


def test_list_operations_pages_newest_first(stub: Stub, md: Metadata) -> None:
    created = [create_op(stub, md, ["d"], token=f"op-{i}").token for i in range(5)]

    def page(number: int, size: int) -> Any:
        criteria = bm.GBatchOperationSearchCriteria(paging=common.GPaging(pageNumber=number, pageSize=size))
        return stub.ListBatchOperations(
            bms.GListBatchOperationsRequest(criteria=criteria), metadata=md
        ).results

    pages = [page(n, 2) for n in (1, 2, 3, 4)]
    assert [p.count for p in pages] == [5, 5, 5, 5]
    tokens = [op.token for p in pages for op in p.batchOperations]
    assert tokens == list(reversed(created))
    assert [len(p.batchOperations) for p in pages] == [2, 2, 1, 0]
    assert len(page(0, 0).batchOperations) == 5  # page 0 reads as 1, size 0 as the default
    assert_status(rpc_error(lambda: page(1, 501)), grpc.StatusCode.INVALID_ARGUMENT, "9400:")
    assert_status(rpc_error(lambda: page(-1, 10)), grpc.StatusCode.INVALID_ARGUMENT, "9400:")


def test_tenants_do_not_see_each_other(stub: Stub, md: Metadata, unique_name: str) -> None:
    op = create_op(stub, md, ["d"], token="mine")
    other = (("tenant", unique_name + "-other"),)
    assert_status(
        rpc_error(
            lambda: stub.GetBatchOperation(
                bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=other
            )
        ),
        grpc.StatusCode.NOT_FOUND,
    )
    assert_status(
        rpc_error(
            lambda: stub.GetBatchOperationByToken(
                bms.GGetBatchOperationByTokenRequest(token="mine"), metadata=other
            )
        ),
        grpc.StatusCode.NOT_FOUND,
    )


# ---- elements -------------------------------------------------------------------------------


def test_create_and_list_elements_with_paging_and_status_filter(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["d0"])
    for i in range(7):
        status = bm.BATCH_ELEMENT_STATUS_FAILED if i % 3 == 0 else bm.BATCH_ELEMENT_STATUS_UNPROCESSED
        element = add_element(stub, md, op.id, f"dev-{i}", processingStatus=status, metadata={"i": str(i)})
        assert element.deviceToken == f"dev-{i}"
        assert element.batchOperationId == op.id
    first, second = list_elements(stub, md, op.id, 1, 4), list_elements(stub, md, op.id, 2, 4)
    assert (first.count, second.count) == (7, 7)
    assert [e.deviceToken for e in [*first.batchElements, *second.batchElements]] == [
        f"dev-{i}" for i in range(7)
    ]
    failed = list_elements(stub, md, op.id, status=bm.BATCH_ELEMENT_STATUS_FAILED)
    assert failed.count == 3
    assert [e.deviceToken for e in failed.batchElements] == ["dev-0", "dev-3", "dev-6"]
    assert all(e.processedDate > 0 for e in failed.batchElements)  # final elements carry a date
    unprocessed = list_elements(stub, md, op.id, status=bm.BATCH_ELEMENT_STATUS_UNPROCESSED)
    assert unprocessed.count == 4
    fetched = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert (fetched.elementCount, fetched.failedCount, fetched.unprocessedCount) == (7, 3, 4)


def test_duplicate_and_invalid_elements(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["d0"])
    add_element(stub, md, op.id, "dev")
    assert_status(
        rpc_error(lambda: add_element(stub, md, op.id, "dev")), grpc.StatusCode.ALREADY_EXISTS, "4370:"
    )
    assert_status(
        rpc_error(lambda: add_element(stub, md, op.id, "")), grpc.StatusCode.INVALID_ARGUMENT, "9400:"
    )
    missing = uuid_to_wire(uuid.uuid4())
    assert_status(
        rpc_error(lambda: add_element(stub, md, missing, "dev")), grpc.StatusCode.NOT_FOUND, "4410:"
    )
    assert_status(rpc_error(lambda: list_elements(stub, md, missing)), grpc.StatusCode.NOT_FOUND, "4410:")


def test_delete_removes_operation_and_all_elements(stub: Stub, md: Metadata, tenant_db: Any) -> None:
    op = create_op(stub, md, [f"d{i}" for i in range(5)])
    keep = create_op(stub, md, ["k"])
    for i in range(5):
        add_element(stub, md, op.id, f"d{i}")
    add_element(stub, md, keep.id, "k")
    deleted = stub.DeleteBatchOperation(
        bms.GDeleteBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert deleted.token == op.token
    op_id = str(uuid_from_wire(op.id, "id"))
    assert tenant_db["batchelements"].count_documents({"op": op_id}) == 0
    assert tenant_db["batchtargets"].count_documents({"op": op_id}) == 0
    assert tenant_db["batchelements"].count_documents({}) == 1
    assert_status(
        rpc_error(
            lambda: stub.GetBatchOperation(bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md)
        ),
        grpc.StatusCode.NOT_FOUND,
    )
    assert_status(
        rpc_error(
            lambda: stub.DeleteBatchOperation(
                bms.GDeleteBatchOperationRequest(batchOperationId=op.id), metadata=md
            )
        ),
        grpc.StatusCode.NOT_FOUND,
        "4410:",
    )


# ---- updates --------------------------------------------------------------------------------


def test_partial_operation_update_keeps_status_and_metadata(stub: Stub, md: Metadata) -> None:
    req = bm.GBatchCommandInvocationCreateRequest(
        commandToken="set", parameters={"level": "3"}, deviceTokens=["a"]
    )
    op = stub.CreateBatchCommandInvocation(
        bms.GCreateBatchCommandInvocationRequest(request=req), metadata=md
    ).batchOperation
    moved = update_op(
        stub,
        md,
        op.id,
        processingStatus=bm.BATCH_OPERATION_STATUS_INITIALIZING,
        processingStartedDate=1_700_000_000_000,
    )
    assert moved.processingStatus == bm.BATCH_OPERATION_STATUS_INITIALIZING
    assert moved.processingStartedDate == 1_700_000_000_000
    # A SiteWhere-style update with only metadata: status stays, existing metadata stays.
    touched = update_op(stub, md, op.id, metadata={"note": "hi"})
    assert touched.processingStatus == bm.BATCH_OPERATION_STATUS_INITIALIZING
    assert dict(touched.metadata) == {"level": "3", "note": "hi"}
    assert touched.processingStartedDate == 1_700_000_000_000
    assert dict(touched.parameters) == {"commandToken": "set"}
    # An empty update changes nothing.
    assert update_op(stub, md, op.id).processingStatus == bm.BATCH_OPERATION_STATUS_INITIALIZING


def test_illegal_operation_transitions_are_failed_precondition(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["a"])
    error = rpc_error(
        lambda: update_op(stub, md, op.id, processingStatus=bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY)
    )
    assert_status(error, grpc.StatusCode.FAILED_PRECONDITION, "9409:")
    assert_status(
        rpc_error(lambda: update_op(stub, md, op.id, processingStatus=99)),  # type: ignore[arg-type]
        grpc.StatusCode.INVALID_ARGUMENT,
        "9400:",
    )
    unchanged = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert unchanged.processingStatus == bm.BATCH_OPERATION_STATUS_UNPROCESSED


def test_partial_element_update_and_counters(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["a"])
    element = add_element(stub, md, op.id, "a", metadata={"k": "v"})
    processing = update_element(stub, md, element.id, processingStatus=bm.BATCH_ELEMENT_STATUS_PROCESSING)
    assert processing.processingStatus == bm.BATCH_ELEMENT_STATUS_PROCESSING
    noted = update_element(stub, md, element.id, metadata={"extra": "1"}, errorMessage="slow")
    assert noted.processingStatus == bm.BATCH_ELEMENT_STATUS_PROCESSING  # absent status: unchanged
    assert dict(noted.metadata) == {"k": "v", "extra": "1"}
    assert noted.errorMessage == "slow"
    done = update_element(stub, md, element.id, processingStatus=bm.BATCH_ELEMENT_STATUS_SUCCEEDED)
    assert done.processingStatus == bm.BATCH_ELEMENT_STATUS_SUCCEEDED and done.processedDate > 0
    assert_status(
        rpc_error(
            lambda: update_element(stub, md, element.id, processingStatus=bm.BATCH_ELEMENT_STATUS_PROCESSING)
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
        "9409:",
    )
    fetched = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert (fetched.succeededCount, fetched.processingCount, fetched.unprocessedCount) == (1, 0, 0)


def test_concurrent_compare_and_set_has_one_winner(stub: Stub, md: Metadata) -> None:
    op = create_op(stub, md, ["a"])
    element = add_element(stub, md, op.id, "a", processingStatus=bm.BATCH_ELEMENT_STATUS_PROCESSING)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def finish(status: int) -> None:
        barrier.wait()
        try:
            update_element(stub, md, element.id, processingStatus=status)
            outcomes.append(f"won:{status}")
        except grpc.RpcError as exc:
            outcomes.append(exc.code().name)

    statuses = [bm.BATCH_ELEMENT_STATUS_SUCCEEDED, bm.BATCH_ELEMENT_STATUS_FAILED] * 4
    threads = [threading.Thread(target=finish, args=(s,)) for s in statuses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [o for o in outcomes if o.startswith("won:")]
    final = (
        stub.ListBatchElements(bms.GListBatchElementsRequest(batchOperationId=op.id), metadata=md)
        .results.batchElements[0]
        .processingStatus
    )
    # Same-status repeats are idempotent, so every winner asked for the status that won.
    assert winners and {w for w in winners} == {f"won:{final}"}
    assert set(outcomes) - set(winners) <= {"FAILED_PRECONDITION"}
    fetched = stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op.id), metadata=md
    ).batchOperation
    assert fetched.succeededCount + fetched.failedCount == 1
    assert fetched.processingCount == 0
