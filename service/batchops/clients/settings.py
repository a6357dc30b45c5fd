"""Where the device-management and event-management services are, and how hard to try them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

DEVICE_MANAGEMENT = "device-management"
EVENT_MANAGEMENT = "event-management"
GRPC_API_PORT = 9000


def default_address(service: str, instance_id: str, namespace: str | None = None) -> str:
    """SiteWhere 2.1's service naming (``GrpcChannel.computeHostname``): the instance id prefixes
    the service name, except for the instance literally called ``sitewhere``. With a namespace
    (SiteWhere's ``resolveFQDN``), the cluster-local domain is appended."""
    host = (
        f"sitewhere-{service}-svc" if instance_id == "sitewhere" else f"{instance_id}-sitewhere-{service}-svc"
    )
    if namespace:
        host = f"{host}.{namespace}.svc.cluster.local"
    return f"{host}:{GRPC_API_PORT}"


class ClientSettings(BaseModel):
    """Addresses plus the knobs SiteWhere exposes as ``sitewhere.grpc.*`` (retry and backoff)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    device_management_address: str = Field(min_length=1)
    event_management_address: str = Field(min_length=1)
    deadline_seconds: float = Field(default=10.0, gt=0, description="Deadline of each attempt.")
    max_attempts: int = Field(default=5, ge=1, le=100, description="Attempts per call, the first included.")
    initial_backoff_seconds: float = Field(default=0.1, ge=0)
    max_backoff_seconds: float = Field(default=5.0, ge=0)
    backoff_multiplier: float = Field(default=2.0, ge=1.0)
    # An invocation whose deadline passed may still have been stored: retrying it can create a
    # second invocation. On by default (a missed command is worse than a repeated one).
    retry_writes_on_deadline: bool = True
    max_message_bytes: int = Field(default=16 * 1024 * 1024, ge=1024 * 1024)
    page_size: int = Field(
        default=500, ge=1, le=10_000, description="Page size used when paging through targets."
    )
    lookup_concurrency: int = Field(
        default=8, ge=1, le=64, description="Parallel device lookups while targeting."
    )

    @classmethod
    def for_instance(cls, instance_id: str, namespace: str | None = None, **overrides: Any) -> ClientSettings:
        """Default addresses for the instance; overrides that are None or "" are ignored, so
        unset process settings fall back to the defaults."""
        values: dict[str, Any] = {
            "device_management_address": default_address(DEVICE_MANAGEMENT, instance_id, namespace),
            "event_management_address": default_address(EVENT_MANAGEMENT, instance_id, namespace),
        }
        values.update({key: value for key, value in overrides.items() if value not in (None, "")})
        return cls(**values)
