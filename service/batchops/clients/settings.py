"""Where the device-management and event-management services are, and how hard to try them:
the process's ``grpc_client`` settings group (defined once, in ``batchops.config``)."""

from __future__ import annotations

from batchops.config.grpc_client import (
    DEVICE_MANAGEMENT,
    EVENT_MANAGEMENT,
    GRPC_API_PORT,
    GrpcClientSettings,
    default_address,
)

# The clients take the settings group itself; the old name stays for their callers.
ClientSettings = GrpcClientSettings

__all__ = [
    "DEVICE_MANAGEMENT",
    "EVENT_MANAGEMENT",
    "GRPC_API_PORT",
    "ClientSettings",
    "GrpcClientSettings",
    "default_address",
]
