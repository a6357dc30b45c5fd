"""The benchmark's gRPC client of the service: create operations, nothing else."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

import grpc

from batchops.protocol.convert import uuid_from_wire
from batchops.protocol.headers import call_metadata
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
CREATE_TIMEOUT = 600.0


class BenchClient:
    def __init__(self, port: int, tenant: str) -> None:
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}",
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self._stub = batch_management_pb2_grpc.BatchManagementStub(self._channel)
        self._metadata = call_metadata(tenant)

    def close(self) -> None:
        self._channel.close()

    def create(
        self, operation_type: str, device_tokens: Sequence[str], parameters: Mapping[str, str] | None = None
    ) -> uuid.UUID:
        request = bm.GBatchOperationCreateRequest(
            operationType=operation_type, deviceTokens=device_tokens, parameters=dict(parameters or {})
        )
        response = self._stub.CreateBatchOperation(
            bms.GCreateBatchOperationRequest(request=request), metadata=self._metadata, timeout=CREATE_TIMEOUT
        )
        return uuid_from_wire(response.batchOperation.id, "operation id")

    def invoke(self, command_token: str, device_tokens: Sequence[str]) -> uuid.UUID:
        request = bm.GBatchCommandInvocationCreateRequest(
            commandToken=command_token, deviceTokens=device_tokens
        )
        response = self._stub.CreateBatchCommandInvocation(
            bms.GCreateBatchCommandInvocationRequest(request=request),
            metadata=self._metadata,
            timeout=CREATE_TIMEOUT,
        )
        return uuid_from_wire(response.batchOperation.id, "operation id")
