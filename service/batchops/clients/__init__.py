"""gRPC clients of SiteWhere's device-management and event-management services, and criteria
resolution (device type, group, assignment criteria -> device tokens) on top of them."""

from batchops.clients.cache import LruCache
from batchops.clients.calls import ClientError, ServiceUnavailable
from batchops.clients.channels import ChannelPool
from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.event_management import EventManagementClient
from batchops.clients.factory import ServiceClients, connect
from batchops.clients.models import Assignment, Device, DeviceCommand, DeviceGroup, DeviceType, GroupElement
from batchops.clients.services import HandlerServices
from batchops.clients.settings import DEVICE_MANAGEMENT, EVENT_MANAGEMENT, ClientSettings, default_address
from batchops.clients.targeting import Caller, devices_for_assignments, devices_in_group, devices_of_type

__all__ = [
    "DEVICE_MANAGEMENT",
    "EVENT_MANAGEMENT",
    "Assignment",
    "Caller",
    "ChannelPool",
    "ClientError",
    "ClientSettings",
    "Device",
    "DeviceCommand",
    "DeviceGroup",
    "DeviceManagementClient",
    "DeviceType",
    "EventManagementClient",
    "GroupElement",
    "HandlerServices",
    "LruCache",
    "ServiceClients",
    "ServiceUnavailable",
    "connect",
    "default_address",
    "devices_for_assignments",
    "devices_in_group",
    "devices_of_type",
]
