"""The simulated DeviceManagement service, answering from a ``Fleet``."""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

import grpc

from batchops.simulator.convert import (
    STATUS_FROM_WIRE,
    assignment_to_wire,
    command_to_wire,
    device_to_wire,
    device_type_to_wire,
    group_element_to_wire,
    group_to_wire,
    page_of,
)
from batchops.simulator.fleet import Fleet
from batchops.simulator.gate import Gate
from batchops.wire import device_management_pb2 as dms
from batchops.wire import device_management_pb2_grpc as dms_grpc
from batchops.wire import device_model_pb2 as dm
from batchops.wire import sitewhere_common_pb2 as common


def wire_uuid(value: common.GUUID) -> uuid.UUID:
    return uuid.UUID(int=(value.msb << 64) | value.lsb)


def not_found(context: grpc.ServicerContext, what: str) -> NoReturn:
    context.abort(grpc.StatusCode.NOT_FOUND, f"{what} not found.")


class DeviceManagementServicer(dms_grpc.DeviceManagementServicer):
    def __init__(self, fleet: Fleet, gate: Gate) -> None:
        self._fleet = fleet
        self._gate = gate

    def GetDeviceType(self, request: dms.GGetDeviceTypeRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("GetDeviceType", context)
        found = self._fleet.type_by_id.get(wire_uuid(request.id))
        if found is None:
            not_found(context, "Device type")
        return dms.GGetDeviceTypeResponse(deviceType=device_type_to_wire(found))

    def GetDeviceTypeByToken(
        self, request: dms.GGetDeviceTypeByTokenRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetDeviceTypeByToken", context)
        found = self._fleet.type_by_token.get(request.token)
        if found is None:
            not_found(context, f"Device type '{request.token}'")
        return dms.GGetDeviceTypeByTokenResponse(deviceType=device_type_to_wire(found))

    def GetDeviceCommand(self, request: dms.GGetDeviceCommandRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("GetDeviceCommand", context)
        found = self._fleet.command_by_id.get(wire_uuid(request.id))
        if found is None:
            not_found(context, "Device command")
        return dms.GGetDeviceCommandResponse(command=command_to_wire(found))

    def GetDeviceCommandByToken(
        self, request: dms.GGetDeviceCommandByTokenRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetDeviceCommandByToken", context)
        found = self._fleet.command_by_type_and_token.get((wire_uuid(request.deviceTypeId), request.token))
        if found is None:
            not_found(context, f"Device command '{request.token}'")
        return dms.GGetDeviceCommandByTokenResponse(command=command_to_wire(found))

    def ListDeviceCommands(
        self, request: dms.GListDeviceCommandsRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("ListDeviceCommands", context)
        wanted = (
            request.criteria.deviceTypeToken.value if request.criteria.HasField("deviceTypeToken") else ""
        )
        commands = [
            command
            for device_type in self._fleet.device_types
            if not wanted or device_type.token == wanted
            for command in device_type.commands
        ]
        results = dm.GDeviceCommandSearchResults(
            count=len(commands),
            deviceCommands=[command_to_wire(c) for c in page_of(commands, request.criteria.paging)],
        )
        return dms.GListDeviceCommandsResponse(results=results)

    def GetDevice(self, request: dms.GGetDeviceRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("GetDevice", context)
        found = self._fleet.device_by_id.get(wire_uuid(request.id))
        if found is None:
            not_found(context, "Device")
        return dms.GGetDeviceResponse(device=device_to_wire(found))

    def GetDeviceByToken(self, request: dms.GGetDeviceByTokenRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("GetDeviceByToken", context)
        found = self._fleet.device_by_token.get(request.token)
        if found is None:
            not_found(context, f"Device '{request.token}'")
        return dms.GGetDeviceByTokenResponse(device=device_to_wire(found))

    def ListDevices(self, request: dms.GListDevicesRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("ListDevices", context)
        criteria = request.criteria
        if criteria.deviceType.token:
            device_type = self._fleet.type_by_token.get(criteria.deviceType.token)
            devices = self._fleet.devices_by_type[device_type.id] if device_type else []
        else:
            devices = list(self._fleet.devices)
        results = dm.GDeviceSearchResults(
            count=len(devices), devices=[device_to_wire(d) for d in page_of(devices, criteria.paging)]
        )
        return dms.GListDevicesResponse(results=results)

    def GetDeviceGroup(self, request: dms.GGetDeviceGroupRequest, context: grpc.ServicerContext) -> Any:
        self._gate.enter("GetDeviceGroup", context)
        found = self._fleet.group_by_id.get(wire_uuid(request.id))
        if found is None:
            not_found(context, "Device group")
        return dms.GGetDeviceGroupResponse(group=group_to_wire(found))

    def GetDeviceGroupByToken(
        self, request: dms.GGetDeviceGroupByTokenRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetDeviceGroupByToken", context)
        found = self._fleet.group_by_token.get(request.token)
        if found is None:
            not_found(context, f"Device group '{request.token}'")
        return dms.GGetDeviceGroupByTokenResponse(group=group_to_wire(found))

    def ListDeviceGroupElements(
        self, request: dms.GListDeviceGroupElementsRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("ListDeviceGroupElements", context)
        group = self._fleet.group_by_id.get(wire_uuid(request.groupId))
        if group is None:
            not_found(context, "Device group")
        elements = page_of(group.elements, request.criteria.paging)
        results = dm.GDeviceGroupElementsSearchResults(
            count=len(group.elements), elements=[group_element_to_wire(e, group.id) for e in elements]
        )
        return dms.GListDeviceGroupElementsResponse(results=results)

    def GetDeviceAssignment(
        self, request: dms.GGetDeviceAssignmentRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetDeviceAssignment", context)
        found = self._fleet.assignment_by_id.get(wire_uuid(request.id))
        if found is None:
            not_found(context, "Device assignment")
        return dms.GGetDeviceAssignmentResponse(assignment=assignment_to_wire(found))

    def GetDeviceAssignmentByToken(
        self, request: dms.GGetDeviceAssignmentByTokenRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetDeviceAssignmentByToken", context)
        found = self._fleet.assignment_by_token.get(request.token)
        if found is None:
            not_found(context, f"Device assignment '{request.token}'")
        return dms.GGetDeviceAssignmentByTokenResponse(assignment=assignment_to_wire(found))

    def GetActiveAssignmentsForDevice(
        self, request: dms.GGetActiveAssignmentsForDeviceRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("GetActiveAssignmentsForDevice", context)
        device = self._fleet.device_by_id.get(wire_uuid(request.id))
        if device is None:
            not_found(context, "Device")
        return dms.GGetActiveAssignmentsForDeviceResponse(
            assignment=[assignment_to_wire(a) for a in device.active_assignments]
        )

    def ListDeviceAssignments(
        self, request: dms.GListDeviceAssignmentsRequest, context: grpc.ServicerContext
    ) -> Any:
        self._gate.enter("ListDeviceAssignments", context)
        criteria = request.criteria
        statuses = [STATUS_FROM_WIRE[s] for s in criteria.status if s in STATUS_FROM_WIRE]
        if list(criteria.status) and not statuses:  # only statuses the simulator never has
            return dms.GListDeviceAssignmentsResponse(results=dm.GDeviceAssignmentSearchResults(count=0))
        matches = self._fleet.matching_assignments(
            device_type_tokens=criteria.deviceTypeTokens,
            customer_tokens=criteria.customerTokens,
            area_tokens=criteria.areaTokens,
            asset_tokens=criteria.assetTokens,
            device_tokens=criteria.deviceTokens,
            statuses=statuses,
        )
        results = dm.GDeviceAssignmentSearchResults(
            count=len(matches), assignments=[assignment_to_wire(a) for a in page_of(matches, criteria.paging)]
        )
        return dms.GListDeviceAssignmentsResponse(results=results)
