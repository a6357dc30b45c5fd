"""A thin client of the BatchManagement gRPC API for the operator CLI."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import grpc

from batchops.domain import BatchOperationStatus, ElementProcessingStatus
from batchops.errors import BatchopsError
from batchops.protocol.convert import ELEMENT_STATUS_TO_WIRE, OPERATION_STATUS_TO_WIRE, uuid_to_wire
from batchops.protocol.headers import call_metadata
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

EXIT_OK = 0
EXIT_FAILED = 1  # operation finished with errors, or the server refused/failed the request
EXIT_USAGE = 2  # bad arguments, unreachable server, bad credentials
EXIT_NOT_FOUND = 3

# Codes that mean "fix your command line or environment" rather than "the server said no".
_USAGE_CODES = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.PERMISSION_DENIED,
    }
)

Response = TypeVar("Response")


def operation_criteria(
    page: int, page_size: int, statuses: Sequence[BatchOperationStatus] = ()
) -> bm.GBatchOperationSearchCriteria:
    """A page of operations, only those in ``statuses`` if any (a batchops extension: SiteWhere
    ignores the field and lists them all)."""
    return bm.GBatchOperationSearchCriteria(
        paging=common.GPaging(pageNumber=page, pageSize=page_size),
        statuses=[OPERATION_STATUS_TO_WIRE[status] for status in statuses],  # type: ignore[misc]
    )


class OpsError(BatchopsError):
    """A failed request, described for the terminal, with the exit code to end with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    @classmethod
    def from_rpc(cls, error: grpc.RpcError) -> OpsError:
        code: grpc.StatusCode = error.code()
        details: str = error.details() or ""
        if code == grpc.StatusCode.NOT_FOUND:
            exit_code = EXIT_NOT_FOUND
        elif code in _USAGE_CODES:
            exit_code = EXIT_USAGE
        else:
            exit_code = EXIT_FAILED
        return cls(f"{code.name}: {details}" if details else code.name, exit_code)


@dataclass(frozen=True)
class Connection:
    address: str
    tenant: str
    jwt: str | None
    timeout: float

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        return call_metadata(self.tenant, self.jwt)


def parse_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


class OpsClient:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._channel = grpc.insecure_channel(connection.address)
        self._stub = batch_management_pb2_grpc.BatchManagementStub(self._channel)

    def __enter__(self) -> OpsClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()

    def _call(self, rpc: Callable[..., Response], request: Any, timeout: float | None = None) -> Response:
        try:
            return rpc(
                request, metadata=self._connection.metadata, timeout=timeout or self._connection.timeout
            )
        except grpc.RpcError as error:
            raise OpsError.from_rpc(error) from None

    # ---- operations ---------------------------------------------------------------------------

    def get(self, operation_id: common.GUUID) -> bm.GBatchOperation:
        request = bms.GGetBatchOperationRequest(batchOperationId=operation_id)
        response = self._call(self._stub.GetBatchOperation, request)
        return self._present(response, f"Batch operation {_uuid_text(operation_id)} not found.")

    def get_by_token(self, token: str) -> bm.GBatchOperation:
        response = self._call(
            self._stub.GetBatchOperationByToken, bms.GGetBatchOperationByTokenRequest(token=token)
        )
        return self._present(response, f"Batch operation token '{token}' not found.")

    @staticmethod
    def _present(response: Any, missing: str) -> bm.GBatchOperation:
        # SiteWhere answers "not found" by token with an empty response rather than NOT_FOUND.
        if not response.HasField("batchOperation"):
            raise OpsError(f"NOT_FOUND: {missing}", EXIT_NOT_FOUND)
        operation: bm.GBatchOperation = response.batchOperation
        return operation

    def resolve(self, reference: str) -> bm.GBatchOperation:
        """A UUID is looked up as an id first, then as a token (tokens default to UUID strings)."""
        operation_id = parse_uuid(reference)
        if operation_id is None:
            return self.get_by_token(reference)
        try:
            return self.get(uuid_to_wire(operation_id))
        except OpsError as error:
            if error.exit_code != EXIT_NOT_FOUND:
                raise
            return self.get_by_token(reference)

    def list_operations(
        self, page: int, page_size: int, statuses: Sequence[BatchOperationStatus] = ()
    ) -> bm.GBatchOperationSearchResults:
        criteria = operation_criteria(page, page_size, statuses)
        response = self._call(
            self._stub.ListBatchOperations, bms.GListBatchOperationsRequest(criteria=criteria)
        )
        results: bm.GBatchOperationSearchResults = response.results
        return results

    def invoke(
        self,
        command_token: str,
        device_tokens: Sequence[str],
        parameters: Mapping[str, str],
        token: str | None,
    ) -> bm.GBatchOperation:
        request = bm.GBatchCommandInvocationCreateRequest(
            commandToken=command_token, parameters=dict(parameters), deviceTokens=list(device_tokens)
        )
        if token:
            request.token.value = token
        response = self._call(
            self._stub.CreateBatchCommandInvocation, bms.GCreateBatchCommandInvocationRequest(request=request)
        )
        operation: bm.GBatchOperation = response.batchOperation
        return operation

    def invoke_by_criteria(self, rpc: str, request: Any, timeout: float) -> bm.GBatchOperation:
        """One of the criteria RPCs (``ops.targets.criteria_request``). The service resolves the
        criteria before answering, hence a timeout of its own."""
        operation: bm.GBatchOperation = self._call(getattr(self._stub, rpc), request, timeout).batchOperation
        return operation

    def delete(self, operation_id: common.GUUID) -> bm.GBatchOperation:
        request = bms.GDeleteBatchOperationRequest(batchOperationId=operation_id)
        operation: bm.GBatchOperation = self._call(self._stub.DeleteBatchOperation, request).batchOperation
        return operation

    # ---- operator control ---------------------------------------------------------------------

    def cancel(self, operation_id: common.GUUID, force: bool, reason: str) -> bm.GBatchOperation:
        request = bms.GCancelBatchOperationRequest(batchOperationId=operation_id, force=force, reason=reason)
        operation: bm.GBatchOperation = self._call(self._stub.CancelBatchOperation, request).batchOperation
        return operation

    def pause(self, operation_id: common.GUUID, reason: str) -> bm.GBatchOperation:
        request = bms.GPauseBatchOperationRequest(batchOperationId=operation_id, reason=reason)
        operation: bm.GBatchOperation = self._call(self._stub.PauseBatchOperation, request).batchOperation
        return operation

    def resume(self, operation_id: common.GUUID, reason: str) -> bm.GBatchOperation:
        request = bms.GResumeBatchOperationRequest(batchOperationId=operation_id, reason=reason)
        operation: bm.GBatchOperation = self._call(self._stub.ResumeBatchOperation, request).batchOperation
        return operation

    def retry(
        self,
        operation_id: common.GUUID,
        statuses: Sequence[ElementProcessingStatus],
        error_contains: str,
        reason: str,
    ) -> bms.GRetryBatchOperationResponse:
        request = bms.GRetryBatchOperationRequest(
            batchOperationId=operation_id,
            statuses=[ELEMENT_STATUS_TO_WIRE[s] for s in statuses],  # type: ignore[misc]
            errorContains=error_contains,
            reason=reason,
        )
        response: bms.GRetryBatchOperationResponse = self._call(self._stub.RetryBatchOperation, request)
        return response

    # ---- elements -----------------------------------------------------------------------------

    def list_elements(
        self,
        operation_id: common.GUUID,
        status: ElementProcessingStatus | None,
        page: int,
        page_size: int,
    ) -> bm.GBatchElementSearchResults:
        criteria = bm.GBatchElementSearchCriteria(paging=common.GPaging(pageNumber=page, pageSize=page_size))
        if status is not None:
            criteria.processingStatusFilter.processingStatus = ELEMENT_STATUS_TO_WIRE[status]  # type: ignore[assignment]
        request = bms.GListBatchElementsRequest(batchOperationId=operation_id, criteria=criteria)
        results: bm.GBatchElementSearchResults = self._call(self._stub.ListBatchElements, request).results
        return results


def _uuid_text(value: common.GUUID) -> str:
    return str(uuid.UUID(int=(value.msb << 64) | value.lsb))
