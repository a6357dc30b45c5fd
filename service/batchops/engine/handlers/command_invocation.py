"""BatchCommandInvocation: invoke one device command on every device of the operation.

As SiteWhere's ``BatchCommandInvocationHandler``, with its known faults fixed: the parameter
values come from ``operation.invocation_parameters`` (SiteWhere read them from metadata, which
updates wiped), and every active assignment can be targeted, not only the first.
"""

from __future__ import annotations

import uuid
from typing import Any, TypedDict

from batchops.clients.cache import LruCache
from batchops.clients.calls import ClientError, ServiceUnavailable
from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.models import Assignment, DeviceCommand
from batchops.clients.services import HandlerServices
from batchops.domain import (
    BATCH_COMMAND_INVOCATION,
    META_BATCH_OPERATION_TOKEN,
    META_INVOCATION_EVENT_ID,
    PARAM_COMMAND_TOKEN,
    InvalidArgument,
    OperationCreate,
)
from batchops.engine.handlers.active_assignments import BatchAssignments, look_up
from batchops.engine.handlers.base import (
    DependencyUnavailable,
    ElementOutcome,
    HandlerBatch,
    HandlerContext,
)
from batchops.errors import BatchopsError, ErrorKind

OPTION_TARGET_ALL_ASSIGNMENTS = "target_all_assignments"

# (tenant, operation id, device type id): a few device types per operation, a few operations at once.
_CacheKey = tuple[str, uuid.UUID, uuid.UUID]


class _Auth(TypedDict):
    """The headers of every outgoing call (keyword arguments of each client method)."""

    tenant_id: str
    auth_token: str | None


class CommandInvocationError(BatchopsError):
    """A device-management or event-management call failed for good while handling one device."""

    kind = ErrorKind.UNAVAILABLE


class CommandDependencyUnavailable(CommandInvocationError, DependencyUnavailable):
    """Device or event management could not be reached (UNAVAILABLE or DEADLINE_EXCEEDED after
    the client's retries): the element waits for it instead of failing."""


def option_enabled(value: Any) -> bool:
    """Options may come from JSON (bool) or from text configuration ("true", "1", "yes")."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes", "on"}
    return bool(value)


class BatchCommandInvocationHandler:
    operation_type = BATCH_COMMAND_INVOCATION

    def __init__(self, cache_size: int = 1024) -> None:
        # Per operation (the key includes its id): a command edited between operations is seen
        # by the next one. None results are cached too: a bad command token fails fast.
        self._commands: LruCache[_CacheKey, DeviceCommand | None] = LruCache(cache_size)
        self._type_tokens: LruCache[_CacheKey, str] = LruCache(cache_size)

    def validate(self, create: OperationCreate) -> None:
        if not create.parameters.get(PARAM_COMMAND_TOKEN):
            raise InvalidArgument(
                f"A {BATCH_COMMAND_INVOCATION} needs the '{PARAM_COMMAND_TOKEN}' parameter."
            )

    def prepare(self, batch: HandlerBatch) -> BatchAssignments | None:
        """The batch's active assignments in one call (instead of one call per element)."""
        if batch.services is None:
            return None
        return look_up(
            batch.services.device_management,
            [element.device_token for element in batch.elements],
            tenant_id=batch.tenant_id,
            auth_token=batch.auth_token,
        )

    def handle(self, context: HandlerContext) -> ElementOutcome:
        services = context.services
        if services is None:
            return ElementOutcome.failure("device-management and event-management clients are not configured")
        command_token = context.operation.parameters.get(PARAM_COMMAND_TOKEN, "")
        if not command_token:
            return ElementOutcome.failure(f"operation has no '{PARAM_COMMAND_TOKEN}' parameter")
        device_token = context.element.device_token
        try:
            return self._invoke(context, services, device_token, command_token)
        except ServiceUnavailable as exc:
            raise CommandDependencyUnavailable(exc.service, f"device '{device_token}': {exc}") from exc
        except ClientError as exc:
            raise CommandInvocationError(f"device '{device_token}': {exc}") from exc

    def _invoke(
        self, context: HandlerContext, services: HandlerServices, device_token: str, command_token: str
    ) -> ElementOutcome:
        devices, events = services.device_management, services.event_management
        auth = _Auth(tenant_id=context.tenant_id, auth_token=context.auth_token)
        device = devices.get_device_by_token(device_token, **auth)
        if device is None:
            return ElementOutcome.failure(f"unknown device token '{device_token}'")
        if device.device_type_id is None:
            return ElementOutcome.failure(f"device '{device_token}' has no device type")
        key = (context.tenant_id, context.operation.id, device.device_type_id)
        type_id = device.device_type_id
        command = self._commands.get_or_load(
            key, lambda: devices.get_command_by_token(type_id, command_token, **auth)
        )
        if command is None:
            type_token = self._type_tokens.get_or_load(key, lambda: _type_token(devices, type_id, auth))
            return ElementOutcome.failure(
                f"Invalid command token ({command_token}) for device type '{type_token}'"
            )
        # SiteWhere 2.1 checks the device's active assignment ids before asking for the assignments.
        targets: list[Assignment] = []
        if device.active_assignment_ids:
            prepared = context.prepared
            known = prepared.of(device) if isinstance(prepared, BatchAssignments) else None
            targets = known if known is not None else devices.get_active_assignments(device.id, **auth)
        if not targets:
            return ElementOutcome.failure(f"device '{device_token}' has no active assignment")
        if not option_enabled(context.options.get(OPTION_TARGET_ALL_ASSIGNMENTS, False)):
            targets = targets[:1]
        operation = context.operation
        with context.effect():  # a forced cancel lets no invocation start after it returned
            invocation_ids = [
                events.add_command_invocation(
                    assignment.id,
                    command_token=command.token,
                    initiator_id=str(operation.id),
                    target_id=assignment.token,
                    parameter_values=operation.invocation_parameters,
                    metadata={META_BATCH_OPERATION_TOKEN: operation.token},
                    **auth,
                )
                for assignment in targets
            ]
        return ElementOutcome.success(**{META_INVOCATION_EVENT_ID: ",".join(invocation_ids)})


def _type_token(devices: DeviceManagementClient, device_type_id: uuid.UUID, auth: _Auth) -> str:
    device_type = devices.get_device_type(device_type_id, **auth)
    return device_type.token if device_type is not None else str(device_type_id)
