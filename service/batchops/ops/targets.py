"""What ``batchops ops invoke`` targets: an explicit device list, or criteria the service resolves.

Which RPC the options select:

================================================ ==========================================
options                                          RPC
================================================ ==========================================
``--device`` / ``--devices-file``                CreateBatchCommandInvocation
any ``--customer`` / ``--area`` / ``--asset``    CreateBatchCommandByAssignmentCriteria
(plus any ``--device-type``)                     (devices with a matching active assignment)
``--group G [--role R ...]``                     CreateBatchCommandByGroup
one ``--device-type T``                          CreateBatchCommandByDeviceCriteria
================================================ ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from batchops.ops.client import EXIT_USAGE, OpsError
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common


class TargetKind(Enum):
    DEVICES = "devices"
    DEVICE_TYPE = "device type"
    GROUP = "group"
    ASSIGNMENTS = "assignments"


@dataclass(frozen=True)
class Targets:
    devices: list[str] = field(default_factory=list)
    device_types: list[str] = field(default_factory=list)
    group: str | None = None
    roles: list[str] = field(default_factory=list)
    customers: list[str] = field(default_factory=list)
    areas: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)

    @property
    def kind(self) -> TargetKind:
        """The one way of targeting the options ask for; OpsError (usage) if they mix or miss."""
        assignment = bool(self.customers or self.areas or self.assets)
        criteria = assignment or self.group is not None or bool(self.device_types)
        if self.roles and self.group is None:
            raise _usage("--role needs --group")
        if self.devices:
            if criteria:
                raise _usage("give either devices (--device/--devices-file) or criteria, not both")
            return TargetKind.DEVICES
        if self.group is not None:
            if assignment or self.device_types:
                raise _usage("--group cannot be combined with --device-type/--customer/--area/--asset")
            return TargetKind.GROUP
        if assignment:
            return TargetKind.ASSIGNMENTS
        if len(self.device_types) == 1:
            return TargetKind.DEVICE_TYPE
        if self.device_types:
            # Device criteria take one type; several only make sense as assignment criteria, which
            # skip devices without an active assignment: make the caller say so.
            raise _usage("several --device-type need --customer/--area/--asset (assignment criteria)")
        raise _usage(
            "no targets: give --device/--devices-file, --device-type, --group, or --customer/--area/--asset"
        )


def _usage(message: str) -> OpsError:
    return OpsError(message, EXIT_USAGE)


CriteriaRequest = (
    bms.GCreateBatchCommandByDeviceCriteriaRequest
    | bms.GCreateBatchCommandByGroupRequest
    | bms.GCreateBatchCommandByAssignmentCriteriaRequest
)


def criteria_request(
    targets: Targets, command_token: str, parameters: Mapping[str, str], token: str | None
) -> tuple[str, CriteriaRequest]:
    """The RPC name and request for criteria targets (not for an explicit device list)."""
    kind = targets.kind
    values = dict(parameters)
    request: CriteriaRequest
    if kind is TargetKind.DEVICE_TYPE:
        by_type = bm.GBatchCommandByDeviceCriteriaCreateRequest(
            commandToken=command_token, parameterValues=values, deviceTypeToken=targets.device_types[0]
        )
        _set_token(by_type.token, token)
        request, rpc = bms.GCreateBatchCommandByDeviceCriteriaRequest(request=by_type), "ByDeviceCriteria"
    elif kind is TargetKind.GROUP:
        by_group = bm.GBatchCommandByGroupCreateRequest(
            commandToken=command_token, parameterValues=values, groupToken=targets.group, roles=targets.roles
        )
        _set_token(by_group.token, token)
        request, rpc = bms.GCreateBatchCommandByGroupRequest(request=by_group), "ByGroup"
    elif kind is TargetKind.ASSIGNMENTS:
        by_assignments = bm.GBatchCommandByAssignmentCriteriaCreateRequest(
            commandToken=command_token,
            parameterValues=values,
            deviceTypeTokens=targets.device_types,
            customerTokens=targets.customers,
            areaTokens=targets.areas,
            assetTokens=targets.assets,
        )
        _set_token(by_assignments.token, token)
        request = bms.GCreateBatchCommandByAssignmentCriteriaRequest(request=by_assignments)
        rpc = "ByAssignmentCriteria"
    else:
        raise ValueError("an explicit device list is not criteria")
    return f"CreateBatchCommand{rpc}", request


def _set_token(field: common.GOptionalString, token: str | None) -> None:
    if token:
        field.value = token
