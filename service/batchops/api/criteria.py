"""The three criteria-targeted command RPCs (batchops extensions of BatchManagement).

SiteWhere resolved criteria inside web-rest, unpaged, and then called CreateBatchCommandInvocation
with the full token list. Here the service resolves them itself: it pages through device
management with the caller's JWT, de-duplicates, and creates a BatchCommandInvocation whose
``targeting`` summary records the criteria (operation metadata stays what SiteWhere made it: the
command parameter values).

Outcomes: bad criteria -> INVALID_ARGUMENT (an unknown device type carries SiteWhere's 4060);
device management unreachable -> UNAVAILABLE; criteria matching no device -> FAILED_PRECONDITION
"no devices match", with nothing written (an operation with no targets would only add noise).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc

from batchops.api.auth import current_principal
from batchops.api.errors import metadata_value, tenant_rpc
from batchops.api.tenancy import TENANT_HEADER, TenantApi, TenantUnavailable

# From the submodules, not the package: importing ``batchops.clients`` first loads this module
# halfway through (its clients import ``batchops.protocol.convert``), before the package's names exist.
from batchops.clients.calls import ClientError
from batchops.clients.targeting import Caller, devices_for_assignments, devices_in_group, devices_of_type
from batchops.domain import BatchOperation, DomainError, ErrorCode, InvalidArgument, OperationCreate
from batchops.domain.creation import command_invocation
from batchops.domain.validation import check_device_token, check_token
from batchops.protocol.convert import operation_to_wire
from batchops.wire import batch_management_pb2 as bms

if TYPE_CHECKING:
    from batchops.clients.device_management import DeviceManagementClient

Context = grpc.ServicerContext

MAX_CRITERIA_TOKENS = 100  # per list (customers, areas, roles, ...): a request, not a query language

# Statuses device management may answer that mean "not now" rather than "no".
_UNREACHABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


@dataclass(frozen=True)
class CriteriaTargeting:
    """What criteria resolution needs: the device-management client and how to page through it."""

    devices: DeviceManagementClient
    page_size: int = 500
    lookup_concurrency: int = 8


class DeviceManagementUnavailable(TenantUnavailable):
    """Device management cannot be reached. A TenantUnavailable so ``tenant_rpc`` answers
    UNAVAILABLE (the caller may retry), with this message."""


class NoMatchingDevices(DomainError):
    """FAILED_PRECONDITION (the kind DomainError defaults to), as SiteWhere's plain errors."""

    def __init__(self, targeting: str) -> None:
        super().__init__(ErrorCode.GENERIC, f"No devices match the criteria ({targeting}); nothing created.")


_CommandRequest = (
    bms.GCreateBatchCommandByDeviceCriteriaRequest
    | bms.GCreateBatchCommandByGroupRequest
    | bms.GCreateBatchCommandByAssignmentCriteriaRequest
)
# Returns the token stream; called inside the error mapping, as resolvers call device management
# eagerly (to check a device type or group) as well as while streaming.
_Resolver = Callable[[], Iterator[str]]


def _command_of(request: _CommandRequest) -> OperationCreate:
    """The operation to create, checked before the criteria are; its targeting summary is set
    once they are."""
    req = request.request
    return command_invocation(
        token=req.token.value, command=req.commandToken, parameter_values=req.parameterValues, targeting=""
    )


def _tokens(values: Sequence[str], what: str) -> list[str]:
    if len(values) > MAX_CRITERIA_TOKENS:
        raise InvalidArgument(f"Too many {what}s: at most {MAX_CRITERIA_TOKENS}.")
    return [check_token(value, what) for value in dict.fromkeys(values)]


def _device_type_tokens(values: Sequence[str]) -> list[str]:
    try:
        return _tokens(values, "device type token")
    except InvalidArgument as exc:
        raise InvalidArgument(exc.message, ErrorCode.INVALID_DEVICE_TYPE_TOKEN) from None


def _listed(name: str, values: Sequence[str]) -> str:
    return f"{name}=[{','.join(values)}]" if values else ""


def collect_targets(stream: Iterator[str], limit: int) -> list[str]:
    """De-duplicated, validated tokens in first-seen order.

    MEMORY BOUND: the whole target list is materialised here (the store takes a sequence), but
    never more than ``limit`` (the ``max_device_tokens`` setting) tokens: past that the stream is
    closed at once, which stops paging through device management (and its lookup threads).
    """
    unique: dict[str, None] = {}
    try:
        for token in stream:
            if token not in unique:
                unique[check_device_token(token)] = None
                if len(unique) > limit:
                    raise InvalidArgument(
                        f"The criteria match more than {limit} devices, the most one operation may "
                        "target; narrow them."
                    )
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    return list(unique)


class CriteriaRpcs:
    """Mixed into BatchManagementServicer, which provides ``router`` (for ``tenant_rpc``),
    ``_max_tokens`` and ``targeting`` (None: criteria RPCs answer UNAVAILABLE)."""

    _max_tokens: int
    targeting: CriteriaTargeting | None

    @tenant_rpc
    def CreateBatchCommandByDeviceCriteria(
        self, tenant: TenantApi, request: bms.GCreateBatchCommandByDeviceCriteriaRequest, context: Context
    ) -> bms.GCreateBatchCommandByDeviceCriteriaResponse:
        command = _command_of(request)
        device_type = request.request.deviceTypeToken
        if device_type:
            _device_type_tokens([device_type])
        targeting, caller = self._targeting(context)
        summary = f"deviceType={device_type}"
        operation = self._create(
            tenant,
            command,
            summary,
            lambda: devices_of_type(targeting.devices, device_type, caller, page_size=targeting.page_size),
        )
        return bms.GCreateBatchCommandByDeviceCriteriaResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def CreateBatchCommandByGroup(
        self, tenant: TenantApi, request: bms.GCreateBatchCommandByGroupRequest, context: Context
    ) -> bms.GCreateBatchCommandByGroupResponse:
        command = _command_of(request)
        req = request.request
        if not req.groupToken:
            raise InvalidArgument("A device group token is required.")
        group = check_token(req.groupToken, "device group token")
        roles = _tokens(req.roles, "role")
        targeting, caller = self._targeting(context)
        summary = f"group={group}" + (f" roles={','.join(roles)}" if roles else "")
        operation = self._create(
            tenant,
            command,
            summary,
            lambda: devices_in_group(
                targeting.devices,
                group,
                caller,
                roles=roles,
                page_size=targeting.page_size,
                lookup_concurrency=targeting.lookup_concurrency,
            ),
        )
        return bms.GCreateBatchCommandByGroupResponse(batchOperation=operation_to_wire(operation))

    @tenant_rpc
    def CreateBatchCommandByAssignmentCriteria(
        self, tenant: TenantApi, request: bms.GCreateBatchCommandByAssignmentCriteriaRequest, context: Context
    ) -> bms.GCreateBatchCommandByAssignmentCriteriaResponse:
        command = _command_of(request)
        req = request.request
        criteria: Mapping[str, list[str]] = {
            "deviceTypes": _device_type_tokens(req.deviceTypeTokens),
            "customers": _tokens(req.customerTokens, "customer token"),
            "areas": _tokens(req.areaTokens, "area token"),
            "assets": _tokens(req.assetTokens, "asset token"),
        }
        targeting, caller = self._targeting(context)
        summary = " ".join(
            ["assignments", *(part for name, values in criteria.items() if (part := _listed(name, values)))]
        )
        operation = self._create(
            tenant,
            command,
            summary,
            lambda: devices_for_assignments(
                targeting.devices,
                caller,
                device_type_tokens=criteria["deviceTypes"],
                customer_tokens=criteria["customers"],
                area_tokens=criteria["areas"],
                asset_tokens=criteria["assets"],
                page_size=targeting.page_size,
                lookup_concurrency=targeting.lookup_concurrency,
            ),
        )
        wire = operation_to_wire(operation)
        return bms.GCreateBatchCommandByAssignmentCriteriaResponse(batchOperation=wire)

    # ---- helpers ----------------------------------------------------------------------------

    def _targeting(self, context: Context) -> tuple[CriteriaTargeting, Caller]:
        if self.targeting is None:
            raise DeviceManagementUnavailable("Criteria targeting is not configured (no device management).")
        # tenant_rpc has already checked the header is there and well formed.
        tenant_id = metadata_value(context, TENANT_HEADER) or ""
        principal = current_principal()
        # The caller's JWT: device management applies the caller's own rights to what is listed.
        return self.targeting, Caller(tenant_id, principal.token if principal and principal.token else None)

    def _create(
        self,
        tenant: TenantApi,
        command: OperationCreate,
        summary: str,
        resolve: _Resolver,
    ) -> BatchOperation:
        tenant.check_operation_type(command.operation_type)
        try:
            # The resolvers check their criteria (unknown device type, group) before streaming.
            targets = collect_targets(resolve(), self._max_tokens)
        except ClientError as exc:
            raise client_failure(exc) from None
        if not targets:
            raise NoMatchingDevices(summary)
        create = command.model_copy(update={"targeting": summary})
        return tenant.create_operation(create, targets)


def client_failure(exc: ClientError) -> Exception:
    if exc.code in _UNREACHABLE:
        return DeviceManagementUnavailable(
            f"Device management is unavailable while resolving the criteria ({exc.code.name} after "
            f"{exc.attempts} attempts); retry later."
        )
    # Any other answer (e.g. it refused the caller's JWT) is final for this request.
    return DomainError(
        ErrorCode.GENERIC,
        f"Device management refused to resolve the criteria: {exc.code.name} {exc.details}".rstrip(),
    )
