"""What the clients return: small immutable views of SiteWhere's device-management entities."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from batchops.wire import device_model_pb2 as dm
from batchops.wire import sitewhere_common_pb2 as common

ASSIGNMENT_ACTIVE = common.ASSN_STATUS_ACTIVE


@dataclass(frozen=True)
class DeviceType:
    id: uuid.UUID
    token: str
    name: str = ""


@dataclass(frozen=True)
class DeviceCommand:
    id: uuid.UUID
    token: str
    name: str
    device_type_id: uuid.UUID | None = None
    namespace: str = ""


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    token: str
    device_type_id: uuid.UUID | None
    active_assignment_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Assignment:
    id: uuid.UUID
    token: str
    device_id: uuid.UUID | None
    device_type_id: uuid.UUID | None = None
    status: int = common.ASSN_STATUS_UNSPECIFIED

    @property
    def active(self) -> bool:
        return self.status == ASSIGNMENT_ACTIVE


@dataclass(frozen=True)
class DeviceGroup:
    id: uuid.UUID
    token: str
    name: str = ""
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupElement:
    """A member of a group: a device or a nested group (normally exactly one of them)."""

    device_id: uuid.UUID | None
    nested_group_id: uuid.UUID | None
    roles: tuple[str, ...] = ()


def optional_uuid(value: common.GUUID) -> uuid.UUID | None:
    """Unset or all-zero GUUID -> None (proto3 cannot tell them apart)."""
    number = (value.msb << 64) | value.lsb
    return uuid.UUID(int=number) if number else None


def _required_uuid(value: common.GUUID) -> uuid.UUID:
    return optional_uuid(value) or uuid.UUID(int=0)


def device_type_from_wire(message: dm.GDeviceType) -> DeviceType:
    info = message.entityInformation
    return DeviceType(id=_required_uuid(info.id), token=info.token, name=message.name)


def command_from_wire(message: dm.GDeviceCommand) -> DeviceCommand:
    info = message.entityInformation
    return DeviceCommand(
        id=_required_uuid(info.id),
        token=info.token,
        name=message.name,
        device_type_id=optional_uuid(message.deviceTypeId),
        namespace=message.namespace,
    )


def device_from_wire(message: dm.GDevice) -> Device:
    info = message.entityInformation
    active = tuple(uid for uid in (optional_uuid(item) for item in message.activeAssignmentId) if uid)
    return Device(
        id=_required_uuid(info.id),
        token=info.token,
        device_type_id=optional_uuid(message.deviceTypeId),
        active_assignment_ids=active,
    )


def assignment_from_wire(message: dm.GDeviceAssignment) -> Assignment:
    info = message.entityInformation
    return Assignment(
        id=_required_uuid(info.id),
        token=info.token,
        device_id=optional_uuid(message.deviceId),
        device_type_id=optional_uuid(message.deviceTypeId),
        status=message.status,
    )


def group_from_wire(message: dm.GDeviceGroup) -> DeviceGroup:
    info = message.entityInformation
    return DeviceGroup(
        id=_required_uuid(info.id), token=info.token, name=message.name, roles=tuple(message.roles)
    )


def group_element_from_wire(message: dm.GDeviceGroupElement) -> GroupElement:
    return GroupElement(
        device_id=optional_uuid(message.deviceId),
        nested_group_id=optional_uuid(message.nestedGroupId),
        roles=tuple(message.roles),
    )
