"""Fleet entities -> SiteWhere wire messages, and SiteWhere's paging rule."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeVar

from batchops.protocol.convert import uuid_to_wire
from batchops.simulator.fleet import (
    Assignment,
    AssignmentStatus,
    Command,
    Device,
    DeviceType,
    Group,
    GroupElement,
)
from batchops.wire import device_model_pb2 as dm
from batchops.wire import sitewhere_common_pb2 as common

T = TypeVar("T")

_PARAMETER_TYPES = {
    "int32": common.PARAMETER_INT32,
    "double": common.PARAMETER_DOUBLE,
    "string": common.PARAMETER_STRING,
    "bool": common.PARAMETER_BOOL,
}
_STATUSES = {
    AssignmentStatus.ACTIVE: common.ASSN_STATUS_ACTIVE,
    AssignmentStatus.RELEASED: common.ASSN_STATUS_RELEASED,
}
STATUS_FROM_WIRE = {wire: status for status, wire in _STATUSES.items()}


def page_of(items: Sequence[T], paging: common.GPaging) -> list[T]:
    """SiteWhere's paging: 1-based page numbers (0 read as 1), page size 0 means everything."""
    if paging.pageSize <= 0:
        return list(items)
    start = (max(paging.pageNumber, 1) - 1) * paging.pageSize
    return list(items[start : start + paging.pageSize])


def info(entity_id: uuid.UUID, token: str) -> common.GEntityInformation:
    return common.GEntityInformation(id=uuid_to_wire(entity_id), token=token)


def device_type_to_wire(device_type: DeviceType) -> dm.GDeviceType:
    return dm.GDeviceType(name=device_type.name, entityInformation=info(device_type.id, device_type.token))


def command_to_wire(command: Command) -> dm.GDeviceCommand:
    return dm.GDeviceCommand(
        deviceTypeId=uuid_to_wire(command.device_type_id),
        namespace=command.namespace,
        name=command.name,
        parameters=[
            dm.GCommandParameter(name=p.name, type=_PARAMETER_TYPES[p.type], required=p.required)
            for p in command.parameters
        ],
        entityInformation=info(command.id, command.token),
    )


def device_to_wire(device: Device) -> dm.GDevice:
    return dm.GDevice(
        deviceTypeId=uuid_to_wire(device.device_type_id),
        activeAssignmentId=[uuid_to_wire(a.id) for a in device.active_assignments],
        entityInformation=info(device.id, device.token),
    )


def assignment_to_wire(assignment: Assignment) -> dm.GDeviceAssignment:
    return dm.GDeviceAssignment(
        deviceId=uuid_to_wire(assignment.device_id),
        deviceTypeId=uuid_to_wire(assignment.device_type_id),
        customerId=uuid_to_wire(assignment.customer.id),
        areaId=uuid_to_wire(assignment.area.id),
        assetId=uuid_to_wire(assignment.asset.id),
        status=_STATUSES[assignment.status],
        entityInformation=info(assignment.id, assignment.token),
    )


def group_to_wire(group: Group) -> dm.GDeviceGroup:
    return dm.GDeviceGroup(
        name=group.name, roles=list(group.roles), entityInformation=info(group.id, group.token)
    )


def group_element_to_wire(element: GroupElement, group_id: uuid.UUID) -> dm.GDeviceGroupElement:
    message = dm.GDeviceGroupElement(
        id=uuid_to_wire(element.id), groupId=uuid_to_wire(group_id), roles=element.roles
    )
    if element.device_id is not None:
        message.deviceId.CopyFrom(uuid_to_wire(element.device_id))
    if element.nested_group_id is not None:
        message.nestedGroupId.CopyFrom(uuid_to_wire(element.nested_group_id))
    return message
