"""Build the clients of one process from its settings (one shared channel pool)."""

from __future__ import annotations

from dataclasses import dataclass

from batchops.clients.channels import ChannelPool
from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.event_management import EventManagementClient
from batchops.clients.services import HandlerServices
from batchops.clients.settings import ClientSettings


@dataclass(frozen=True)
class ServiceClients:
    settings: ClientSettings
    pool: ChannelPool
    device_management: DeviceManagementClient
    event_management: EventManagementClient

    @property
    def services(self) -> HandlerServices:
        """What handlers are given (``HandlerContext.services``)."""
        return HandlerServices(self.device_management, self.event_management)

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
