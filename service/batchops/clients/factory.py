"""Build the clients of one process from its settings (one shared channel pool)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from batchops.clients.channels import ChannelPool
from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.event_management import EventManagementClient
from batchops.clients.settings import ClientSettings

# The names handlers look clients up by in ``HandlerContext.clients``.
DEVICE_MANAGEMENT_CLIENT = "device_management"
EVENT_MANAGEMENT_CLIENT = "event_management"


@dataclass(frozen=True)
class ServiceClients:
    settings: ClientSettings
    pool: ChannelPool
    device_management: DeviceManagementClient
    event_management: EventManagementClient

    def as_mapping(self) -> Mapping[str, Any]:
        """What ``HandlerContext.clients`` expects."""
        return {
            DEVICE_MANAGEMENT_CLIENT: self.device_management,
            EVENT_MANAGEMENT_CLIENT: self.event_management,
        }

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> ServiceClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(settings: ClientSettings) -> ServiceClients:
    """Channels connect lazily: nothing is dialled until the first call."""
    pool = ChannelPool()
    return ServiceClients(
        settings, pool, DeviceManagementClient(settings, pool), EventManagementClient(settings, pool)
    )
