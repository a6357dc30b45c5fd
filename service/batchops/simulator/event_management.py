"""The simulated DeviceEventManagement service: stores (records) command invocations."""

from __future__ import annotations

import time
import uuid
from typing import Any

import grpc

from batchops.protocol.convert import uuid_to_wire
from batchops.protocol.headers import JWT_HEADER
from batchops.simulator.device_management import not_found, wire_uuid
from batchops.simulator.fleet import Assignment, Fleet
from batchops.simulator.gate import Gate, header
from batchops.simulator.recorder import InvocationRecorder, InvocationRequest, RecordedInvocation
from batchops.wire import event_management_pb2 as ems
from batchops.wire import event_management_pb2_grpc as ems_grpc
from batchops.wire import event_model_pb2 as em
from batchops.wire import sitewhere_common_pb2 as common


class EventManagementServicer(ems_grpc.DeviceEventManagementServicer):
    def __init__(self, fleet: Fleet, gate: Gate, recorder: InvocationRecorder) -> None:
        self._fleet = fleet
        self._gate = gate
        self._recorder = recorder

    def AddCommandInvocations(
        self, request: ems.GAddCommandInvocationsRequest, context: grpc.ServicerContext
    ) -> Any:
        tenant = self._gate.enter("AddCommandInvocations", context)
        assignment = self._fleet.assignment_by_id.get(wire_uuid(request.deviceAssignmentId))
        if assignment is None:
            not_found(context, "Device assignment")
        for item in request.requests:
            if (assignment.device_type_id, item.commandToken) not in self._fleet.command_by_type_and_token:
                context.abort(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"1:Invalid command token '{item.commandToken}' for the assignment's device type.",
                )
        if self._gate.faults.refuses(self._fleet.device_by_id[assignment.device_id].token):
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, "1:The device refused the command (injected).")
        jwt = header(context, JWT_HEADER)
        return ems.GAddCommandInvocationsResponse(
            invocations=[self._store(tenant, jwt, assignment, item) for item in request.requests]
        )

    def _store(
        self,
        tenant: str,
        jwt: str | None,
        assignment: Assignment,
        item: em.GDeviceCommandInvocationCreateRequest,
    ) -> em.GDeviceCommandInvocation:
        command = self._fleet.command_by_type_and_token[(assignment.device_type_id, item.commandToken)]
        event_id = uuid.uuid4()
        now = int(time.time() * 1000)
        self._recorder.record(
            RecordedInvocation(
                tenant=tenant,
                invocation_id=str(event_id),
                assignment_id=str(assignment.id),
                assignment_token=assignment.token,
                device_token=self._fleet.device_by_id[assignment.device_id].token,
                request=InvocationRequest(
                    command_token=item.commandToken,
                    parameters=dict(item.parameterValues),
                    initiator=common.GDeviceCommandInitiator.Name(item.initiator),
                    initiator_id=item.initiatorId,
                    target=common.GDeviceCommandTarget.Name(item.target),
                    target_id=item.targetId.value,
                    metadata=dict(item.event.metadata),
                ),
                jwt=jwt,
            )
        )
        return em.GDeviceCommandInvocation(
            initiator=item.initiator,
            initiatorId=item.initiatorId,
            target=item.target,
            targetId=item.targetId,
            deviceCommandId=uuid_to_wire(command.id),
            parameterValues=item.parameterValues,
            event=em.GDeviceEvent(
                id=uuid_to_wire(event_id),
                eventType=common.EVENT_TYPE_COMMAND_INVOCATION,
                deviceId=uuid_to_wire(assignment.device_id),
                deviceAssignmentId=uuid_to_wire(assignment.id),
                customerId=uuid_to_wire(assignment.customer.id),
                areaId=uuid_to_wire(assignment.area.id),
                assetId=uuid_to_wire(assignment.asset.id),
                eventDate=item.event.eventDate or now,
                receivedDate=now,
                metadata=item.event.metadata,
            ),
        )
