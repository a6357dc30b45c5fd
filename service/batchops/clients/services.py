"""What a handler may call: the outgoing services, typed, so a handler author gets completion and
mypy catches a misused call."""

from __future__ import annotations

from dataclasses import dataclass

from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.event_management import EventManagementClient


@dataclass(frozen=True)
class HandlerServices:
    """SiteWhere's device-management and event-management services (``batchops.testing`` has
    in-memory fakes of both)."""

    device_management: DeviceManagementClient
    event_management: EventManagementClient
