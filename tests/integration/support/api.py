"""BatchManagement over gRPC as the tests call it: tenant metadata, create/get an operation, wait
until it is final, and channels that carry the largest requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from batchops.devstack import wait_for
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from support.recording_handler import RECORD

FINAL = {bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY, bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS}
MAX_MESSAGE = 64 * 1024 * 1024  # room for a million device tokens in one call
Metadata = tuple[tuple[str, str], ...]


def tenant_md(tenant_id: str, *extra: tuple[str, str]) -> Metadata:
    return (("tenant", tenant_id), *extra)


def large_message_channel(port: int) -> grpc.Channel:
    """An insecure channel to a local service whose messages may be up to ``MAX_MESSAGE`` bytes."""
    return grpc.insecure_channel(
        f"127.0.0.1:{port}",
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
        ],
    )


def create(stub: Any, tenant: str, tokens: list[str], op_type: str = RECORD, token: str | None = None) -> Any:
    req = bm.GBatchOperationCreateRequest(operationType=op_type, deviceTokens=tokens)
    if token:
        req.token.value = token
    return stub.CreateBatchOperation(
        bms.GCreateBatchOperationRequest(request=req), metadata=(("tenant", tenant),), timeout=60
    ).batchOperation


def get(stub: Any, tenant: str, op_id: Any) -> Any:
    return stub.GetBatchOperation(
        bms.GGetBatchOperationRequest(batchOperationId=op_id), metadata=(("tenant", tenant),)
    ).batchOperation


def until_final(
    read: Callable[[], Any], timeout: float, interval: float, ignore: tuple[type[Exception], ...] = ()
) -> Any:
    """Poll ``read`` (a wire operation) until the operation is final, and return it."""
    return wait_for(
        lambda: (op := read()).processingStatus in FINAL and op,
        timeout,
        interval=interval,
        message="operation did not finish",
        ignore=ignore,
    )


def wait_final(stub: Any, tenant: str, op_id: Any, timeout: float = 120) -> Any:
    """Poll until the operation is final (NOT_FOUND counts as not yet: it may still be arriving)."""
    return until_final(lambda: get(stub, tenant, op_id), timeout, 0.2, ignore=(grpc.RpcError,))
