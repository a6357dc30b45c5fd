"""Where the device-management and event-management services are, and how hard to try them."""

from __future__ import annotations

from pydantic import Field

from batchops.config.base import SettingsGroup

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


class GrpcClientSettings(SettingsGroup):
    """Addresses plus the knobs SiteWhere exposes as ``sitewhere.grpc.*`` (retry and backoff).
    An empty address means SiteWhere 2.1's service name (see ``with_default_addresses``)."""

    device_management_address: str = Field(
        default="", description="host:port of device management; empty = SiteWhere 2.1's service name."
    )
    event_management_address: str = Field(
        default="", description="host:port of event management; empty = SiteWhere 2.1's service name."
    )
    deadline_seconds: float = Field(
        default=10.0,
        gt=0,
        validation_alias="grpc_client_deadline_seconds",
        description="Deadline of each outgoing call.",
    )
    # Where Settings and the old ClientSettings disagreed, the stricter bound is kept (it was the
    # one start-up enforced): at most 50 attempts, backoffs above 0.
    max_attempts: int = Field(
        default=5,
        ge=1,
        le=50,
        validation_alias="grpc_client_max_attempts",
        description="Attempts per outgoing call.",
    )
    initial_backoff_seconds: float = Field(
        default=0.1,
        gt=0,
        validation_alias="grpc_client_initial_backoff_seconds",
        description="First retry backoff.",
    )
    max_backoff_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias="grpc_client_max_backoff_seconds",
        description="Largest retry backoff.",
    )
    backoff_multiplier: float = Field(
        default=2.0,
        ge=1,
        validation_alias="grpc_client_backoff_multiplier",
        description="Backoff growth per retry.",
    )
    # An invocation whose deadline passed may still have been stored: retrying it can create a
    # second invocation. On by default (a missed command is worse than a repeated one).
    retry_writes_on_deadline: bool = Field(
        default=True,
        validation_alias="grpc_client_retry_writes_on_deadline",
        description="Retry AddCommandInvocations after a deadline (may duplicate an invocation).",
    )

    def with_default_addresses(self, instance_id: str, namespace: str | None = None) -> GrpcClientSettings:
        """These settings with each empty address replaced by the instance's service name."""
        return self.model_copy(
            update={
                "device_management_address": self.device_management_address
                or default_address(DEVICE_MANAGEMENT, instance_id, namespace),
                "event_management_address": self.event_management_address
                or default_address(EVENT_MANAGEMENT, instance_id, namespace),
            }
        )
