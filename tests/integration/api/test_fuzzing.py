"""Property-based: random and malformed requests at every RPC never yield UNKNOWN/INTERNAL, and a
rejected call leaves the tenant's database exactly as it was."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batchops.protocol.convert import uuid_to_wire
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

SERVICE = "/com.sitewhere.grpc.service.BatchManagement/"
METHODS = [m.name for m in bms.DESCRIPTOR.services_by_name["BatchManagement"].methods]
FORBIDDEN = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}

texts = st.one_of(
    st.sampled_from(["", "dev-1", "op-1", "BatchCommandInvocation", "x" * 200, " a", "a.b", "$x", "ok"]),
    st.text(max_size=40),
)
string_maps = st.dictionaries(texts, texts, max_size=4)
big_ints = st.integers(min_value=0, max_value=2**64 - 1)
small_enums = st.integers(min_value=-3, max_value=8)
dates = st.one_of(
    st.just(0), st.integers(min_value=0, max_value=2**64 - 1), st.integers(1, 4_000_000_000_000)
)


def optional_string() -> st.SearchStrategy[common.GOptionalString | None]:
    return st.one_of(st.none(), st.builds(common.GOptionalString, value=texts))


def guuids(known: list[common.GUUID]) -> st.SearchStrategy[common.GUUID]:
    return st.one_of(
        st.builds(common.GUUID, msb=big_ints, lsb=big_ints),
        st.sampled_from([common.GUUID(), *known]),
    )


def paging() -> st.SearchStrategy[common.GPaging]:
    ints = st.integers(min_value=-(2**31), max_value=2**31 - 1)
    return st.builds(
        common.GPaging,
        pageNumber=st.one_of(st.integers(-2, 5), ints),
        pageSize=st.one_of(st.integers(-2, 600), ints),
    )


def requests(known: list[common.GUUID]) -> st.SearchStrategy[tuple[str, Any]]:
    ids = guuids(known)

    def with_token(message: Any, token: common.GOptionalString | None) -> Any:
        if token is not None:
            message.token.CopyFrom(token)
        return message

    create = st.builds(
        lambda token, kind, params, meta, tokens: bms.GCreateBatchOperationRequest(
            request=with_token(
                bm.GBatchOperationCreateRequest(
                    operationType=kind, parameters=params, metadata=meta, deviceTokens=tokens
                ),
                token,
            )
        ),
        optional_string(),
        texts,
        string_maps,
        string_maps,
        st.lists(texts, max_size=5),
    )
    invoke = st.builds(
        lambda token, command, params, tokens: bms.GCreateBatchCommandInvocationRequest(
            request=with_token(
                bm.GBatchCommandInvocationCreateRequest(
                    commandToken=command, parameters=params, deviceTokens=tokens
                ),
                token,
            )
        ),
        optional_string(),
        texts,
        string_maps,
        st.lists(texts, max_size=5),
    )

    def op_update(op_id: common.GUUID, status: int | None, start: int | None, meta: dict[str, str]) -> Any:
        req = bm.GBatchOperationUpdateRequest(metadata=meta)
        if status is not None:
            req.processingStatus = status  # type: ignore[assignment]
        if start is not None:
            req.processingStartedDate = start
        return bms.GUpdateBatchOperationRequest(batchOperationId=op_id, request=req)

    def element_request(
        status: int | None, processed: int | None, meta: dict[str, str], token: str, error: str | None
    ) -> Any:
        req = bm.GBatchElementCreateRequest(metadata=meta, deviceToken=token)
        if status is not None:
            req.processingStatus = status  # type: ignore[assignment]
        if processed is not None:
            req.processedDate = processed
        if error is not None:
            req.errorMessage = error
        return req

    element_requests = st.builds(
        element_request, st.none() | small_enums, st.none() | dates, string_maps, texts, st.none() | texts
    )
    status_filter = st.none() | small_enums

    def element_search(status: int | None, page: common.GPaging) -> Any:
        criteria = bm.GBatchElementSearchCriteria(paging=page)
        if status is not None:
            criteria.processingStatusFilter.processingStatus = status  # type: ignore[assignment]
        return criteria

    return st.one_of(
        st.tuples(st.just("CreateBatchOperation"), create),
        st.tuples(st.just("CreateBatchCommandInvocation"), invoke),
        st.tuples(
            st.just("UpdateBatchOperation"),
            st.builds(op_update, ids, st.none() | small_enums, st.none() | dates, string_maps),
        ),
        st.tuples(
            st.just("GetBatchOperation"),
            st.builds(lambda i: bms.GGetBatchOperationRequest(batchOperationId=i), ids),
        ),
        st.tuples(
            st.just("GetBatchOperationByToken"),
            st.builds(lambda t: bms.GGetBatchOperationByTokenRequest(token=t), texts),
        ),
        st.tuples(
            st.just("ListBatchOperations"),
            st.builds(
                lambda p: bms.GListBatchOperationsRequest(
                    criteria=bm.GBatchOperationSearchCriteria(paging=p)
                ),
                paging(),
            ),
        ),
        st.tuples(
            st.just("DeleteBatchOperation"),
            st.builds(lambda i: bms.GDeleteBatchOperationRequest(batchOperationId=i), ids),
        ),
        st.tuples(
            st.just("CreateBatchElement"),
            st.builds(
                lambda i, r: bms.GCreateBatchElementRequest(batchOperationId=i, request=r),
                ids,
                element_requests,
            ),
        ),
        st.tuples(
            st.just("ListBatchElements"),
            st.builds(
                lambda i, s, p: bms.GListBatchElementsRequest(
                    batchOperationId=i, criteria=element_search(s, p)
                ),
                ids,
                status_filter,
                paging(),
            ),
        ),
        st.tuples(
            st.just("UpdateBatchElement"),
            st.builds(
                lambda i, r: bms.GUpdateBatchElementRequest(elementId=i, request=r), ids, element_requests
            ),
        ),
    )


def snapshot(db: Any) -> dict[str, list[Any]]:
    return {
        name: sorted(map(repr, db[name].find({})))
        for name in ("batchoperations", "batchelements", "batchtargets")
    }


def call(channel: grpc.Channel, method: str, payload: bytes, md: Any) -> grpc.StatusCode:
    invoke = channel.unary_unary(SERVICE + method, request_serializer=None, response_deserializer=None)
    try:
        invoke(payload, metadata=md, timeout=30)
    except grpc.RpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


@pytest.fixture
def seeded(stub: Any, md: Any) -> list[common.GUUID]:
    """An operation and an element that random requests can hit by id."""
    req = bm.GBatchOperationCreateRequest(operationType="Custom", deviceTokens=["dev-1"])
    op = stub.CreateBatchOperation(bms.GCreateBatchOperationRequest(request=req), metadata=md).batchOperation
    element = stub.CreateBatchElement(
        bms.GCreateBatchElementRequest(
            batchOperationId=op.id, request=bm.GBatchElementCreateRequest(deviceToken="dev-1")
        ),
        metadata=md,
    ).element
    return [op.id, element.id, uuid_to_wire(uuid.uuid4())]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_requests_never_fail_internally(
    data: st.DataObject, channel: grpc.Channel, md: Any, tenant_db: Any, seeded: list[common.GUUID]
) -> None:
    method, request = data.draw(requests(seeded))
    before = snapshot(tenant_db)
    code = call(channel, method, request.SerializeToString(), md)
    assert code not in FORBIDDEN, (method, request)
    if code != grpc.StatusCode.OK:
        assert snapshot(tenant_db) == before, (method, code, request)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=st.sampled_from(METHODS), payload=st.binary(max_size=300))
def test_malformed_bytes_never_fail_internally(
    method: str, payload: bytes, channel: grpc.Channel, md: Any, tenant_db: Any
) -> None:
    before = snapshot(tenant_db)
    code = call(channel, method, payload, md)
    assert code not in FORBIDDEN, (method, payload)
    if code != grpc.StatusCode.OK:
        assert snapshot(tenant_db) == before, (method, code, payload)
