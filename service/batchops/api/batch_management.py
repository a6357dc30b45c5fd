"""The BatchManagement gRPC service (SiteWhere's ten RPCs, implemented for real)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc

from batchops.api.control_rpcs import ControlRpcs, check_status_filter
from batchops.api.criteria import CriteriaRpcs, CriteriaTargeting
from batchops.api.errors import tenant_rpc
from batchops.api.page_budget import PageBudget
from batchops.api.streamed_tokens import StreamedCreate
from batchops.api.tenancy import TenantApi, TenantRouter
from batchops.domain import (
    ElementCreate,
    ElementProcessingStatus,
    ElementUpdate,
    InvalidArgument,
    OperationUpdate,
    Paging,
)
from batchops.domain.creation import command_invocation, generic_operation
from batchops.domain.validation import (
    check_device_token,
    check_device_tokens,
    check_error_message,
    check_paging,
    check_string_map,
    check_token,
)
from batchops.protocol.convert import (
    date_from_wire,
    element_status_from_wire,
    element_to_wire,
    operation_status_from_wire,
    operation_to_wire,
    uuid_from_wire,
)
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

Context = grpc.ServicerContext
EXPLICIT_TARGETS = "explicit device list"
# Below gRPC's default 4 MiB receive limit, so a default client can read every page.
DEFAULT_MAX_PAGE_BYTES = 3 * 1024 * 1024


class PagingLimits:
    def __init__(self, default_size: int, max_size: int, max_bytes: int = DEFAULT_MAX_PAGE_BYTES) -> None:
        self.default_size = default_size
        self.max_size = max_size
        self.max_bytes = max_bytes


OperationRequest = bms.GCreateBatchOperationRequest | StreamedCreate
CommandInvocationRequest = bms.GCreateBatchCommandInvocationRequest | StreamedCreate


def _create_parts(request: Any) -> tuple[Any, Iterable[str]]:
    """(request message, its device tokens), whether the tokens were streamed from the request
    bytes (served over gRPC) or came in the message (a direct call)."""
    if isinstance(request, StreamedCreate):
        return request.message, request.tokens
    return request, request.request.deviceTokens


def _targets(tokens: Iterable[str], limit: int) -> Iterable[str]:
    """The request's tokens, all checked; the store streams them into chunks from there."""
    check_device_tokens(tokens, limit)
    return tokens


class BatchManagementServicer(CriteriaRpcs, ControlRpcs):
    """One instance serves every tenant; each call names its tenant in the ``tenant`` header.

    ``targeting`` serves the criteria RPCs (``api.criteria``); without it they answer UNAVAILABLE.
    The operator-control RPCs are in ``api.control_rpcs``.
    """

    # Million-token lists are read from the request bytes as they are stored (api.streamed_tokens).
    streamed_token_methods = frozenset({"CreateBatchOperation", "CreateBatchCommandInvocation"})

    def __init__(
        self,
        router: TenantRouter,
        paging: PagingLimits,
        max_device_tokens: int,
        *,
        targeting: CriteriaTargeting | None = None,
    ) -> None:
        self.router = router
        self._paging = paging
        self._max_tokens = max_device_tokens
        self.targeting = targeting

    # ---- creation ---------------------------------------------------------------------------

    @tenant_rpc
    def CreateBatchOperation(
        self, tenant: TenantApi, request: OperationRequest, context: Context
    ) -> bms.GCreateBatchOperationResponse:
        message, tokens = _create_parts(request)
        req = message.request
        create = generic_operation(
            req.operationType,
            token=req.token.value,
            parameters=req.parameters,
            metadata=req.metadata,
            targeting=EXPLICIT_TARGETS,
        )
        tenant.check_operation_type(create.operation_type)
        operation = tenant.create_operation(create, _targets(tokens, self._max_tokens))
        return bms.GCreateBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def CreateBatchCommandInvocation(
        self,
        tenant: TenantApi,
        request: CommandInvocationRequest,
        context: Context,
    ) -> bms.GCreateBatchCommandInvocationResponse:
        message, tokens = _create_parts(request)
        req = message.request
        create = command_invocation(
            token=req.token.value,
            command=req.commandToken,
            parameter_values=req.parameters,
            targeting=EXPLICIT_TARGETS,
        )
        tenant.check_operation_type(create.operation_type)
        operation = tenant.create_operation(create, _targets(tokens, self._max_tokens))
        return bms.GCreateBatchCommandInvocationResponse(batchOperation=operation_to_wire(operation))

    # ---- operations -------------------------------------------------------------------------

    @tenant_rpc
    def GetBatchOperation(
        self, tenant: TenantApi, request: bms.GGetBatchOperationRequest, context: Context
    ) -> bms.GGetBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        operation = tenant.store.get_operation(operation_id)
        return bms.GGetBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def GetBatchOperationByToken(
        self, tenant: TenantApi, request: bms.GGetBatchOperationByTokenRequest, context: Context
    ) -> bms.GGetBatchOperationByTokenResponse:
        if not request.token:
            raise InvalidArgument("Batch operation token is required.")
        operation = tenant.store.get_operation_by_token(check_token(request.token))
        return bms.GGetBatchOperationByTokenResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def ListBatchOperations(
        self, tenant: TenantApi, request: bms.GListBatchOperationsRequest, context: Context
    ) -> bms.GListBatchOperationsResponse:
        paging = self._paging_of(request.criteria.paging)
        statuses = [operation_status_from_wire(s) for s in check_status_filter(request.criteria.statuses)]
        budget = PageBudget(self._paging.max_bytes, operation_to_wire)
        page = tenant.store.list_operations(paging, budget.keep, statuses)
        results = bm.GBatchOperationSearchResults(count=page.total, batchOperations=budget.messages)
        return bms.GListBatchOperationsResponse(results=results)

    @tenant_rpc
    def UpdateBatchOperation(
        self, tenant: TenantApi, request: bms.GUpdateBatchOperationRequest, context: Context
    ) -> bms.GUpdateBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        req = request.request
        update = OperationUpdate(
            status=operation_status_from_wire(req.processingStatus)
            if req.HasField("processingStatus")
            else None,
            processing_started_date=date_from_wire(req.processingStartedDate, "Processing start date")
            if req.HasField("processingStartedDate")
            else None,
            processing_ended_date=date_from_wire(req.processingEndedDate, "Processing end date")
            if req.HasField("processingEndedDate")
            else None,
            metadata=check_string_map(req.metadata, "metadata") or None,
        )
        operation = tenant.store.update_operation(operation_id, update)
        return bms.GUpdateBatchOperationResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def DeleteBatchOperation(
        self, tenant: TenantApi, request: bms.GDeleteBatchOperationRequest, context: Context
    ) -> bms.GDeleteBatchOperationResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        operation = tenant.store.delete_operation(operation_id)
        return bms.GDeleteBatchOperationResponse(batchOperation=operation_to_wire(operation))

    # ---- elements ---------------------------------------------------------------------------

    @tenant_rpc
    def CreateBatchElement(
        self, tenant: TenantApi, request: bms.GCreateBatchElementRequest, context: Context
    ) -> bms.GCreateBatchElementResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        req = request.request
        if not req.deviceToken:
            raise InvalidArgument("Device token is required.")
        create = ElementCreate(
            device_token=check_device_token(req.deviceToken),
            status=element_status_from_wire(req.processingStatus)
            if req.HasField("processingStatus")
            else ElementProcessingStatus.UNPROCESSED,
            processed_date=date_from_wire(req.processedDate, "Processed date")
            if req.HasField("processedDate")
            else None,
            metadata=check_string_map(req.metadata, "metadata"),
            error_message=check_error_message(req.errorMessage) if req.HasField("errorMessage") else "",
        )
        element = tenant.store.create_element(operation_id, create)
        return bms.GCreateBatchElementResponse(element=element_to_wire(element))

    @tenant_rpc
    def ListBatchElements(
        self, tenant: TenantApi, request: bms.GListBatchElementsRequest, context: Context
    ) -> bms.GListBatchElementsResponse:
        operation_id = uuid_from_wire(request.batchOperationId, "Batch operation id")
        criteria = request.criteria
        status = (
            element_status_from_wire(criteria.processingStatusFilter.processingStatus)
            if criteria.HasField("processingStatusFilter")
            else None
        )
        budget = PageBudget(self._paging.max_bytes, element_to_wire)
        page = tenant.store.list_elements(operation_id, self._paging_of(criteria.paging), status, budget.keep)
        results = bm.GBatchElementSearchResults(count=page.total, batchElements=budget.messages)
        return bms.GListBatchElementsResponse(results=results)

    @tenant_rpc
    def UpdateBatchElement(
        self, tenant: TenantApi, request: bms.GUpdateBatchElementRequest, context: Context
    ) -> bms.GUpdateBatchElementResponse:
        element_id = uuid_from_wire(request.elementId, "Batch element id")
        req = request.request
        update = ElementUpdate(
            status=element_status_from_wire(req.processingStatus)
            if req.HasField("processingStatus")
            else None,
            processed_date=date_from_wire(req.processedDate, "Processed date")
            if req.HasField("processedDate")
            else None,
            metadata=check_string_map(req.metadata, "metadata") or None,
            error_message=check_error_message(req.errorMessage) if req.HasField("errorMessage") else None,
        )
        element = tenant.store.update_element(element_id, update)
        return bms.GUpdateBatchElementResponse(element=element_to_wire(element))

    # ---- helpers ----------------------------------------------------------------------------

    def _paging_of(self, paging: common.GPaging) -> Paging:
        return check_paging(
            paging.pageNumber, paging.pageSize, self._paging.default_size, self._paging.max_size
        )
