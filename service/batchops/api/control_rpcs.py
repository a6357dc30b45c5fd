"""The operator-control RPCs (batchops extensions of BatchManagement): cancel, pause, resume, retry.

Each names who asked (the caller's principal) and why (free text, bounded), and answers with the
operation as the call left it. Refusals: an unknown id -> NOT_FOUND; a call the operation's
status does not allow (cancel a final one, resume one that is not paused, retry one still
running) -> FAILED_PRECONDITION; two racing calls -> one wins, the other is refused or applies to
what the winner left.
"""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from batchops.api.auth import current_principal
from batchops.api.errors import tenant_rpc
from batchops.api.tenancy import TenantApi
from batchops.domain import InvalidArgument
from batchops.protocol.convert import element_status_from_wire, operation_to_wire, uuid_from_wire
from batchops.store.work.control import ControlRequest
from batchops.wire import batch_management_pb2 as bms

Context = grpc.ServicerContext
# No status enum has more values than this: a longer filter is a malformed request.
MAX_STATUS_FILTER = 16


def check_status_filter(statuses: Sequence[int]) -> Sequence[int]:
    if len(statuses) > MAX_STATUS_FILTER:
        raise InvalidArgument(f"A status filter names at most {MAX_STATUS_FILTER} statuses.")
    return statuses


def _request(reason: str) -> ControlRequest:
    principal = current_principal()
    return ControlRequest(by=principal.username if principal is not None else None, reason=reason)


class ControlRpcs:
    """Mixed into ``BatchManagementServicer`` (which provides ``router`` for ``tenant_rpc``)."""

    @tenant_rpc
    def CancelBatchOperation(
        self, tenant: TenantApi, request: bms.GCancelBatchOperationRequest, context: Context
    ) -> bms.GCancelBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        operation = tenant.controls.cancel(operation_id, request.force, _request(request.reason))
        return bms.GCancelBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def PauseBatchOperation(
        self, tenant: TenantApi, request: bms.GPauseBatchOperationRequest, context: Context
    ) -> bms.GPauseBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        operation = tenant.controls.pause(operation_id, _request(request.reason))
        return bms.GPauseBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def ResumeBatchOperation(
        self, tenant: TenantApi, request: bms.GResumeBatchOperationRequest, context: Context
    ) -> bms.GResumeBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        operation = tenant.controls.resume(operation_id, _request(request.reason))
        return bms.GResumeBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def RetryBatchOperation(
        self, tenant: TenantApi, request: bms.GRetryBatchOperationRequest, context: Context
    ) -> bms.GRetryBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        statuses = [element_status_from_wire(s) for s in check_status_filter(request.statuses)]
        result = tenant.controls.retry(
            operation_id, statuses, request.errorContains, _request(request.reason)
        )
        return bms.GRetryBatchOperationResponse(
            batchOperation=operation_to_wire(result.operation), elementsRetried=result.retried
        )
