"""In-memory fakes of the services handlers call: no gRPC, no simulator process.

Each fake subclasses the real client, so it fits ``HandlerServices`` as it is typed. The lookups
handlers use are faked from what a test adds; a call the fake does not cover raises
``NotImplementedError`` naming it. Every call is recorded (``calls``), checks its headers as the
real client does (a tenant id is required), and can be made to fail (``fail_next``).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from batchops.clients.calls import call_metadata
from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.event_management import (
    INITIATOR_BATCH_OPERATION,
    TARGET_ASSIGNMENT,
    EventManagementClient,
)
from batchops.clients.models import ASSIGNMENT_ACTIVE, Assignment, Device, DeviceCommand, DeviceType
from batchops.clients.services import HandlerServices


@dataclass(frozen=True)
class Call:
    method: str
    tenant_id: str
    auth_token: str | None


class _NotFaked:
    """Stands in for the gRPC stub: any method reached through it is one the fake lacks."""

    def __init__(self, fake: str) -> None:
        self._fake = fake

    def __getattr__(self, method: str) -> Any:
        raise NotImplementedError(f"{self._fake} does not fake {method}; subclass it to add that call")


class _Recorder:
    """Records calls and replays scripted failures (handlers run on many threads at once)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._failures: list[Exception] = []
        self._lock = threading.Lock()

    def fail_next(self, error: Exception, times: int = 1) -> None:
        """The next ``times`` calls raise ``error`` (e.g. a ``ClientError``, as retries used up)."""
        with self._lock:
            self._failures.extend([error] * times)

    def _enter(self, method: str, tenant_id: str, auth_token: str | None) -> None:
        call_metadata(tenant_id, auth_token)  # refuses a missing tenant id, as the real call does
        with self._lock:
            self.calls.append(Call(method, tenant_id, auth_token))
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            raise failure

    def called(self, method: str) -> int:
        """How many times ``method`` (e.g. "get_device_by_token") was called."""
        with self._lock:
            return sum(1 for call in self.calls if call.method == method)


class FakeDeviceManagement(_Recorder, DeviceManagementClient):
    """Device types with their commands, devices with their active assignments."""

    def __init__(self) -> None:
        # No channel: the real client's constructor is deliberately not called.
        _Recorder.__init__(self)
        self._stub = cast(Any, _NotFaked(type(self).__name__))
        self._types: dict[uuid.UUID, DeviceType] = {}
        self._commands: dict[tuple[uuid.UUID, str], DeviceCommand] = {}
        self._devices: dict[str, Device] = {}
        self._assignments: dict[uuid.UUID, list[Assignment]] = {}

    # ---- what a test adds -------------------------------------------------------------------

    def add_device_type(self, token: str, commands: Iterable[str] = ()) -> DeviceType:
        device_type = DeviceType(uuid.uuid4(), token, token)
        self._types[device_type.id] = device_type
        for command in commands:
            self._commands[(device_type.id, command)] = DeviceCommand(
                uuid.uuid4(), command, command, device_type.id
            )
        return device_type

    def add_device(self, token: str, device_type: DeviceType | None, *, assignments: int = 1) -> Device:
        """A device with ``assignments`` active assignments (tokens ``<device>-assignment-<n>``)."""
        device_id = uuid.uuid4()
        type_id = device_type.id if device_type is not None else None
        active = [
            Assignment(uuid.uuid4(), f"{token}-assignment-{n}", device_id, type_id, ASSIGNMENT_ACTIVE)
            for n in range(1, assignments + 1)
        ]
        device = Device(device_id, token, type_id, tuple(a.id for a in active))
        self._devices[token] = device
        self._assignments[device_id] = active
        return device

    # ---- the faked calls --------------------------------------------------------------------

    def get_device_type(
        self, device_type_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceType | None:
        self._enter("get_device_type", tenant_id, auth_token)
        return self._types.get(device_type_id)

    def get_device_type_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceType | None:
        self._enter("get_device_type_by_token", tenant_id, auth_token)
        return next((t for t in self._types.values() if t.token == token), None)

    def get_command_by_token(
        self, device_type_id: uuid.UUID, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> DeviceCommand | None:
        self._enter("get_command_by_token", tenant_id, auth_token)
        return self._commands.get((device_type_id, token))

    def get_device(
        self, device_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> Device | None:
        self._enter("get_device", tenant_id, auth_token)
        return next((d for d in self._devices.values() if d.id == device_id), None)

    def get_device_by_token(
        self, token: str, *, tenant_id: str, auth_token: str | None = None
    ) -> Device | None:
        self._enter("get_device_by_token", tenant_id, auth_token)
        return self._devices.get(token)

    def get_active_assignments(
        self, device_id: uuid.UUID, *, tenant_id: str, auth_token: str | None = None
    ) -> list[Assignment]:
        self._enter("get_active_assignments", tenant_id, auth_token)
        return list(self._assignments.get(device_id, []))


@dataclass(frozen=True)
class Party:
    """An invocation's initiator or target: its kind (``CMD_INITIATOR_*``/``CMD_TARGET_*``) and id."""

    kind: int
    id: str


@dataclass(frozen=True)
class RecordedInvocation:
    assignment_id: uuid.UUID
    command_token: str
    initiator: Party
    target: Party
    parameter_values: Mapping[str, str]
    metadata: Mapping[str, str]
    event_id: str


class FakeEventManagement(_Recorder, EventManagementClient):
    """Stores command invocations in ``invocations`` and answers each with a new event id."""

    def __init__(self) -> None:
        _Recorder.__init__(self)
        self._stub = cast(Any, _NotFaked(type(self).__name__))
        self.invocations: list[RecordedInvocation] = []

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
        self._enter("add_command_invocation", tenant_id, auth_token)
        event_id = str(uuid.uuid4())
        invocation = RecordedInvocation(
            assignment_id,
            command_token,
            Party(initiator, initiator_id),
            Party(target, target_id),
            dict(parameter_values),
            dict(metadata),
            event_id,
        )
        with self._lock:
            self.invocations.append(invocation)
        return event_id


@dataclass(frozen=True)
class FakeServices:
    """Both fakes, and the ``HandlerServices`` a handler is given."""

    device_management: FakeDeviceManagement = field(default_factory=FakeDeviceManagement)
    event_management: FakeEventManagement = field(default_factory=FakeEventManagement)

    @property
    def services(self) -> HandlerServices:
        return HandlerServices(self.device_management, self.event_management)
