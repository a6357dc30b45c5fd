"""Typed client of SiteWhere's DeviceManagement gRPC service (the calls batchops needs)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TypeGuard, TypeVar

import grpc
from google.protobuf.message import Message

from batchops.clients.calls import RETRYABLE, ServiceCaller, call_backoff
from batchops.clients.channels import ChannelPool
from batchops.clients.models import (
    ASSIGNMENT_ACTIVE,
    Assignment,
    Device,
    DeviceCommand,
    DeviceGroup,
    DeviceType,
    GroupElement,
    assignment_from_wire,
    command_from_wire,
    device_from_wire,
    device_type_from_wire,
    group_element_from_wire,
    group_from_wire,
)
from batchops.clients.settings import ClientSettings
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import device_management_pb2 as dms
from batchops.wire import device_management_pb2_grpc as dms_grpc
from batchops.wire import device_model_pb2 as dm
from batchops.wire import sitewhere_common_pb2 as common

SERVICE = "device-management"

_Request = TypeVar("_Request", bound=Message)
_Response = TypeVar("_Response", bound=Message)
# A method of the typed stub: mypy checks each call's request and response types against the proto.
_Method = grpc.UnaryUnaryMultiCallable


def _paging(page: int, size: int) -> common.GPaging:
    # SiteWhere reads pageSize 0 as "everything": never send it.
    if page < 1 or size < 1:
        raise ValueError(f"page ({page}) and size ({size}) must be at least 1")
    return common.GPaging(pageNumber=page, pageSize=size)


class DeviceManagementClient:
    """Getters return None when the entity does not exist (NOT_FOUND or an empty response, which
    is how SiteWhere answers some lookups). Other failures raise ``ClientError`` after retries."""

    def __init__(self, settings: ClientSettings, pool: ChannelPool) -> None:
        self._stub = dms_grpc.DeviceManagementStub(pool.channel(settings.device_management_address))
        self._caller = ServiceCaller(
            SERVICE,
            call_backoff(settings),
            settings.deadline_seconds,
        )

    def _get(
        self,
        method: _Method[_Request, _Response],
        name: str,
        request: _Request,
        tenant_id: str,
        auth_token: str | None,
    ) -> _Response | None:
        response: _Response | None = self._caller.call(
            method, name, request, tenant_id=tenant_id, auth_token=auth_token, not_found_is_none=True
        )
        return response

    def _list(
        self,
        method: _Method[_Request, _Response],
        name: str,
        request: _Request,
        tenant_id: str,
        auth_token: str | None,
        retryable: frozenset[grpc.StatusCode] = RETRYABLE,
    ) -> _Response:
        response: _Response = self._caller.call(
            method, name, request, tenant_id=tenant_id, auth_token=auth_token, retryable=retryable
        )
        return response

    # Device types and commands.

    def get_device_type(
        self, device_type_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceType | None:
        request = dms.GGetDeviceTypeRequest(id=uuid_to_wire(device_type_id))
        response = self._get(self._stub.GetDeviceType, "GetDeviceType", request, tenant_id, auth_token)
        return device_type_from_wire(response.deviceType) if _has(response, "deviceType") else None

    def get_device_type_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceType | None:
        request = dms.GGetDeviceTypeByTokenRequest(token=token)
        response = self._get(
            self._stub.GetDeviceTypeByToken, "GetDeviceTypeByToken", request, tenant_id, auth_token
        )
        return device_type_from_wire(response.deviceType) if _has(response, "deviceType") else None

    def get_command_by_token(
        self, device_type_id: uuid.UUID, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceCommand | None:
        request = dms.GGetDeviceCommandByTokenRequest(deviceTypeId=uuid_to_wire(device_type_id), token=token)
        response = self._get(
            self._stub.GetDeviceCommandByToken, "GetDeviceCommandByToken", request, tenant_id, auth_token
        )
        return command_from_wire(response.command) if _has(response, "command") else None

    def list_commands(
        self, device_type_token: str, page: int, size: int, *, tenant_id: str, auth_token: str | None = None
    ) -> tuple[int, list[DeviceCommand]]:
        criteria = dm.GDeviceCommandSearchCriteria(
            deviceTypeToken=common.GOptionalString(value=device_type_token), paging=_paging(page, size)
        )
        request = dms.GListDeviceCommandsRequest(criteria=criteria)
        results = self._list(
            self._stub.ListDeviceCommands, "ListDeviceCommands", request, tenant_id, auth_token
        ).results
        return int(results.count), [command_from_wire(item) for item in results.deviceCommands]

    # Devices.

    def get_device(
        self, device_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> Device | None:
        request = dms.GGetDeviceRequest(id=uuid_to_wire(device_id))
        response = self._get(self._stub.GetDevice, "GetDevice", request, tenant_id, auth_token)
        return device_from_wire(response.device) if _has(response, "device") else None

    def get_device_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> Device | None:
        request = dms.GGetDeviceByTokenRequest(token=token)
        response = self._get(self._stub.GetDeviceByToken, "GetDeviceByToken", request, tenant_id, auth_token)
        return device_from_wire(response.device) if _has(response, "device") else None

    def list_devices(
        self, device_type_token: str, page: int, size: int, *, tenant_id: str, auth_token: str | None = None
    ) -> tuple[int, list[str]]:
        """One page of the tokens of a device type's devices, with the total count."""
        criteria = dm.GDeviceSearchCriteria(
            deviceType=dm.GDeviceTypeReference(token=device_type_token), paging=_paging(page, size)
        )
        request = dms.GListDevicesRequest(criteria=criteria)
        results = self._list(self._stub.ListDevices, "ListDevices", request, tenant_id, auth_token).results
        return int(results.count), [item.entityInformation.token for item in results.devices]

    # Groups.

    def get_group(
        self, group_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceGroup | None:
        request = dms.GGetDeviceGroupRequest(id=uuid_to_wire(group_id))
        response = self._get(self._stub.GetDeviceGroup, "GetDeviceGroup", request, tenant_id, auth_token)
        return group_from_wire(response.group) if _has(response, "group") else None

    def get_group_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceGroup | None:
        request = dms.GGetDeviceGroupByTokenRequest(token=token)
        response = self._get(
            self._stub.GetDeviceGroupByToken, "GetDeviceGroupByToken", request, tenant_id, auth_token
        )
        return group_from_wire(response.group) if _has(response, "group") else None

    def list_group_elements(
        self, group_id: uuid.UUID, page: int, size: int, *, tenant_id: str, auth_token: str | None = None
    ) -> tuple[int, list[GroupElement]]:
        request = dms.GListDeviceGroupElementsRequest(
            groupId=uuid_to_wire(group_id),
            criteria=dm.GDeviceGroupElementsSearchCriteria(paging=_paging(page, size)),
        )
        results = self._list(
            self._stub.ListDeviceGroupElements, "ListDeviceGroupElements", request, tenant_id, auth_token
        ).results
        return int(results.count), [group_element_from_wire(item) for item in results.elements]

    # Assignments.

    def get_assignment_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> Assignment | None:
        request = dms.GGetDeviceAssignmentByTokenRequest(token=token)
        response = self._get(
            self._stub.GetDeviceAssignmentByToken,
            "GetDeviceAssignmentByToken",
            request,
            tenant_id,
            auth_token,
        )
        return assignment_from_wire(response.assignment) if _has(response, "assignment") else None

    def get_active_assignments(
        self, device_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> list[Assignment]:
        """The device's active assignments in the server's order (empty for an unknown device)."""
        request = dms.GGetActiveAssignmentsForDeviceRequest(id=uuid_to_wire(device_id))
        response = self._get(
            self._stub.GetActiveAssignmentsForDevice,
            "GetActiveAssignmentsForDevice",
            request,
            tenant_id,
            auth_token,
        )
        if response is None:
            return []
        return [assignment_from_wire(item) for item in response.assignment]

    def list_assignments(
        self,
        *,
        device_type_tokens: Sequence[str] = (),
        customer_tokens: Sequence[str] = (),
        area_tokens: Sequence[str] = (),
        asset_tokens: Sequence[str] = (),
        device_tokens: Sequence[str] = (),
        statuses: Sequence[int] = (ASSIGNMENT_ACTIVE,),
        page: int,
        size: int,
        tenant_id: str,
        auth_token: str | None = None,
        retry: bool = True,
    ) -> tuple[int, list[Assignment]]:
        """One page of assignments matching every given criterion (an empty list: no constraint).
        Without ``retry``, one attempt only (a lookup the caller can do without)."""
        criteria = dm.GDeviceAssignmentSearchCriteria(
            status=list(statuses),  # type: ignore[arg-type]
            deviceTokens=list(device_tokens),
            deviceTypeTokens=list(device_type_tokens),
            customerTokens=list(customer_tokens),
            areaTokens=list(area_tokens),
            assetTokens=list(asset_tokens),
            paging=_paging(page, size),
        )
        request = dms.GListDeviceAssignmentsRequest(criteria=criteria)
        results = self._list(
            self._stub.ListDeviceAssignments,
            "ListDeviceAssignments",
            request,
            tenant_id,
            auth_token,
            RETRYABLE if retry else frozenset(),
        ).results
        return int(results.count), [assignment_from_wire(item) for item in results.assignments]


def _has(response: _Response | None, field: str) -> TypeGuard[_Response]:
    return response is not None and bool(response.HasField(field))
