"""Typed client of SiteWhere's DeviceEventManagement gRPC service: creating command invocations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import grpc

from batchops.clients.calls import RETRYABLE, ServiceCaller, call_backoff
from batchops.clients.channels import ChannelPool
from batchops.clients.models import optional_uuid
from batchops.clients.settings import ClientSettings
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import event_management_pb2 as ems
from batchops.wire import event_management_pb2_grpc as ems_grpc
from batchops.wire import event_model_pb2 as em
from batchops.wire import sitewhere_common_pb2 as common

SERVICE = "event-management"
INITIATOR_BATCH_OPERATION = common.CMD_INITIATOR_BATCH_OPERATION
TARGET_ASSIGNMENT = common.CMD_TARGET_ASSIGNMENT


class EventManagementClient:
    def __init__(self, settings: ClientSettings, pool: ChannelPool) -> None:
        self._stub = ems_grpc.DeviceEventManagementStub(pool.channel(settings.event_management_address))
        self._caller = ServiceCaller(
            SERVICE,
            call_backoff(settings),
            settings.deadline_seconds,
        )
        self._write_retryable = (
            RETRYABLE if settings.retry_writes_on_deadline else frozenset({grpc.StatusCode.UNAVAILABLE})
        )

    def add_command_invocation(
        self,
        assignment_id: uuid.UUID,
        *,
        command_token: str,
        initiator_id: str,
        target_id: str,
        parameter_values: Mapping[str, str],
        metadata: Mapping[str, str],
        initiator: int = INITIATOR_BATCH_OPERATION,
        target: int = TARGET_ASSIGNMENT,
        tenant_id: str,
        auth_token: str | None = None,
    ) -> str:
        """Store one invocation for the assignment; return its event id (a UUID string)."""
        invocation = em.GDeviceCommandInvocationCreateRequest(
            initiator=initiator,  # type: ignore[arg-type]
            initiatorId=initiator_id,
            target=target,  # type: ignore[arg-type]
            targetId=common.GOptionalString(value=target_id),
            commandToken=command_token,
            parameterValues=dict(parameter_values),
            event=em.GDeviceEventCreateRequest(metadata=dict(metadata)),
        )
        request = ems.GAddCommandInvocationsRequest(
            deviceAssignmentId=uuid_to_wire(assignment_id), requests=[invocation]
        )
        response: ems.GAddCommandInvocationsResponse = self._caller.call(
            self._stub.AddCommandInvocations,
            "AddCommandInvocations",
            request,
            tenant_id=tenant_id,
            auth_token=auth_token,
            retryable=self._write_retryable,
        )
        if len(response.invocations) != 1:
            raise ValueError(
                f"{SERVICE} AddCommandInvocations returned {len(response.invocations)} invocations "
                "for one request"
            )
        event_id = optional_uuid(response.invocations[0].event.id)
        if event_id is None:
            raise ValueError(f"{SERVICE} AddCommandInvocations returned an invocation without an id")
        return str(event_id)
