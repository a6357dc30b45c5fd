"""Process settings, read from the environment (prefix ``BATCHOPS_``).

Every field here is documented in the README's configuration reference; keep the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from batchops.errors import BatchopsError, ErrorKind

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# librdkafka properties the delivery guarantees rest on (offsets committed only after the work is
# durable, every send confirmed, no duplicates from retries): BATCHOPS_KAFKA_OVERRIDES may not set them.
PROTECTED_KAFKA_PROPERTIES = frozenset(
    {
        "enable.auto.commit",
        "enable.auto.offset.store",
        "auto.offset.reset",
        "group.id",
        "enable.idempotence",
        "acks",
        "request.required.acks",
    }
)


class Settings(BaseSettings):
    """Settings of one batchops process (per-tenant settings live in ZooKeeper)."""

    model_config = SettingsConfigDict(env_prefix="BATCHOPS_", extra="ignore", validate_default=True)

    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", min_length=1, description="Kafka bootstrap servers, comma-separated host:port."
    )
    kafka_overrides: dict[str, str] = Field(
        default_factory=dict,
        description="Extra librdkafka properties for every client, as a JSON object "
        '(e.g. {"security.protocol": "SASL_SSL"}).',
    )
    kafka_topic_partitions: int = Field(
        8,
        ge=1,
        le=10_000,
        description="Partitions of new tenant topics (a tenant may configure its own).",
    )
    kafka_topic_replication: int = Field(
        1,
        ge=1,
        le=100,
        description="Replication factor of new tenant topics (a tenant may configure its own).",
    )
    mongodb_uri: str = Field(
        "mongodb://127.0.0.1:27017/?directConnection=true",
        min_length=1,
        description="MongoDB connection URI.",
    )
    mongodb_tenant_prefix: str = Field(
        "tenant-", pattern=r"^[A-Za-z0-9_-]*$", description="Tenant database name = prefix + tenant id."
    )
    zookeeper_hosts: str = Field("127.0.0.1:2181", min_length=1, description="ZooKeeper connect string.")
    product_id: str = Field(
        "sitewhere", pattern=r"^[A-Za-z0-9_-]+$", description="First part of topic names."
    )
    instance_id: str = Field(
        "sitewhere1", pattern=r"^[A-Za-z0-9_-]+$", description="Instance id: topic names and ZooKeeper root."
    )
    grpc_host: str = Field("0.0.0.0", min_length=1, description="Address the gRPC API listens on.")
    grpc_port: int = Field(9000, ge=0, le=65535, description="Port of the gRPC API (0 picks a free one).")
    grpc_max_message_bytes: int = Field(
        64 * 1024 * 1024, ge=4 * 1024 * 1024, description="Largest gRPC message accepted or sent, in bytes."
    )
    grpc_grace_seconds: float = Field(
        10.0, ge=0, description="On SIGTERM, how long in-flight calls may take to finish."
    )
    metrics_port: int = Field(9090, ge=0, le=65535, description="Port of the Prometheus metrics endpoint.")
    log_level: LogLevel = Field("INFO", description="Log level.")
    log_format: Literal["json", "text"] = Field(
        "json",
        description="json: one JSON object per line; text: one line per record, "
        "control characters in logged values escaped.",
    )
    default_page_size: int = Field(100, ge=1, description="Page size used when a request asks for 0.")
    max_page_size: int = Field(10_000, ge=1, description="Largest page size a request may ask for.")
    target_chunk_size: int = Field(
        10_000,
        ge=1,
        le=100_000,
        description="Device tokens per stored target chunk and per operations-topic record.",
    )
    static_tenants: list[str] = Field(
        default_factory=list,
        description="Run engines for these tenant ids (JSON list) without ZooKeeper; "
        "empty = follow ZooKeeper.",
    )
    instance_name: str = Field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
        min_length=1,
        description="This process's name in Kafka client ids and ZooKeeper presence.",
    )
    recovery_interval_seconds: float = Field(
        15.0, gt=0, description="How often each engine looks for work a crash or lost record left behind."
    )
    recovery_stale_seconds: float = Field(
        60.0, gt=0, description="How long work may go without progress before recovery re-publishes it."
    )
    device_management_address: str = Field(
        "", description="host:port of device management; empty = SiteWhere 2.1's service name."
    )
    event_management_address: str = Field(
        "", description="host:port of event management; empty = SiteWhere 2.1's service name."
    )
    grpc_namespace: str = Field("", description="Kubernetes namespace appended to derived addresses (FQDN).")
    grpc_client_deadline_seconds: float = Field(10.0, gt=0, description="Deadline of each outgoing call.")
    grpc_client_max_attempts: int = Field(5, ge=1, le=50, description="Attempts per outgoing call.")
    grpc_client_initial_backoff_seconds: float = Field(0.1, gt=0, description="First retry backoff.")
    grpc_client_max_backoff_seconds: float = Field(5.0, gt=0, description="Largest retry backoff.")
    grpc_client_backoff_multiplier: float = Field(2.0, ge=1, description="Backoff growth per retry.")
    grpc_client_retry_writes_on_deadline: bool = Field(
        True, description="Retry AddCommandInvocations after a deadline (may duplicate an invocation)."
    )
    targeting_page_size: int = Field(500, ge=1, le=10_000, description="Page size when resolving criteria.")
    targeting_lookup_concurrency: int = Field(8, ge=1, le=256, description="Parallel lookups in targeting.")
    auth_enabled: bool = Field(True, description="Require a valid JWT on every BatchManagement call.")
    auth_jwt_secret: SecretStr | None = Field(None, description="HS256 shared secret (as SiteWhere signs).")
    auth_jwt_public_key: str | None = Field(None, description="RS256 public key: PEM text or a file path.")
    auth_jwt_issuer: str | None = Field(None, description="If set, tokens must carry this 'iss'.")
    auth_jwt_audience: str | None = Field(None, description="If set, tokens must carry this 'aud'.")
    auth_jwt_leeway_seconds: float = Field(30.0, ge=0, le=600, description="Clock skew tolerated on exp/nbf.")
    max_device_tokens: int = Field(
        2_000_000, ge=1, description="Most device tokens one create request may carry."
    )
    # ---- hardening (issue 12) ----
    max_page_bytes: int = Field(
        3 * 1024 * 1024,
        ge=256 * 1024,
        le=64 * 1024 * 1024,
        description="Largest encoded list page; a fuller page ends early (count stays the total).",
    )
    grpc_max_request_bytes: int = Field(
        1024 * 1024,
        ge=256 * 1024,
        le=64 * 1024 * 1024,
        description="Largest request of every method but the two create RPCs (those may use "
        "BATCHOPS_GRPC_MAX_MESSAGE_BYTES).",
    )
    grpc_tenant_max_concurrent_calls: int = Field(
        8,
        ge=1,
        le=1024,
        description="Calls one tenant may have in progress (of 32 API workers); more fail at once "
        "with RESOURCE_EXHAUSTED.",
    )
    allow_unauthenticated_remote: bool = Field(
        False,
        description="Start with authentication off on a non-loopback BATCHOPS_GRPC_HOST (refused "
        "otherwise); only for a private network such as the compose stack.",
    )
    auth_jwt_max_lifetime_seconds: float | None = Field(
        None,
        gt=0,
        le=10 * 365 * 86400,
        description="If set, tokens whose 'exp' lies further ahead than this are refused.",
    )
    grpc_tls_cert_file: str | None = Field(
        None, description="PEM certificate (chain) of the gRPC API; set with the key file to serve TLS only."
    )
    grpc_tls_key_file: str | None = Field(None, description="PEM private key of the gRPC API certificate.")
    grpc_tls_client_ca_file: str | None = Field(
        None, description="If set, clients must present a certificate signed by this PEM CA (mutual TLS)."
    )
    grpc_health_port: int | None = Field(
        None,
        ge=0,
        le=65535,
        description="If set, also serve grpc.health.v1 alone, in plaintext, on this port (for probes "
        "that cannot speak TLS).",
    )
    zookeeper_auth_username: str | None = Field(
        None,
        pattern=r"^[^:]+$",
        description="ZooKeeper digest user: set with the password to authenticate and to give every "
        "node batchops creates an ACL for this identity only.",
    )
    zookeeper_auth_password: SecretStr | None = Field(None, description="ZooKeeper digest password.")
    initialization_timeout_seconds: float = Field(
        3600.0,
        gt=0,
        le=30 * 24 * 3600,
        description="How long an Initializing operation may go without progress before it ends "
        "InitializedWithErrors with the chunks that arrived.",
    )

    @field_validator("kafka_overrides")
    @classmethod
    def _no_guarantee_overrides(cls, value: dict[str, str]) -> dict[str, str]:
        refused = sorted(PROTECTED_KAFKA_PROPERTIES & set(value))
        if refused:
            raise ValueError(
                f"{', '.join(refused)} cannot be overridden "
                "(offset commits and confirmed sends depend on them)"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _tls_pair(self) -> Settings:
        if bool(self.grpc_tls_cert_file) != bool(self.grpc_tls_key_file):
            raise ValueError(
                "set both BATCHOPS_GRPC_TLS_CERT_FILE and BATCHOPS_GRPC_TLS_KEY_FILE, or neither"
            )
        if self.grpc_tls_client_ca_file and not self.grpc_tls_cert_file:
            raise ValueError(
                "BATCHOPS_GRPC_TLS_CLIENT_CA_FILE needs BATCHOPS_GRPC_TLS_CERT_FILE and _KEY_FILE"
            )
        return self

    @model_validator(mode="after")
    def _page_fits_a_message(self) -> Settings:
        if self.max_page_bytes >= self.grpc_max_message_bytes:
            raise ValueError(
                f"BATCHOPS_MAX_PAGE_BYTES ({self.max_page_bytes}) must be below "
                f"BATCHOPS_GRPC_MAX_MESSAGE_BYTES ({self.grpc_max_message_bytes}): a page must fit a response"
            )
        return self

    @model_validator(mode="after")
    def _zookeeper_pair(self) -> Settings:
        if bool(self.zookeeper_auth_username) != bool(self.zookeeper_auth_password):
            raise ValueError(
                "set both BATCHOPS_ZOOKEEPER_AUTH_USERNAME and BATCHOPS_ZOOKEEPER_AUTH_PASSWORD, or neither"
            )
        return self

    @model_validator(mode="after")
    def _no_open_door(self) -> Settings:
        # Auth off on a reachable address lets anyone use every tenant: refuse unless forced.
        if (
            not self.auth_enabled
            and not self.allow_unauthenticated_remote
            and not is_loopback(self.grpc_host)
        ):
            raise ValueError(
                f"authentication is off (BATCHOPS_AUTH_ENABLED=false) but BATCHOPS_GRPC_HOST="
                f"{self.grpc_host} is not a loopback address: bind 127.0.0.1, turn authentication on, "
                "or set BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE=true"
            )
        return self


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost; wildcards (0.0.0.0, ::) and other names are not."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class ConfigurationError(BatchopsError):
    """Raised with a human-readable message naming the offending settings."""

    kind = ErrorKind.INVALID_INPUT


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; turn validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None
    except SettingsError as exc:  # e.g. a JSON-valued setting that is not JSON
        field = re.search(r'field "([a-z_]+)"', str(exc))
        name = f"BATCHOPS_{field.group(1).upper()}" if field else "a setting"
        raise ConfigurationError(f"invalid configuration:\n  {name}: not valid JSON ({exc})") from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for error in exc.errors():
        if not error["loc"]:  # a check across settings: its message names them
            lines.append(f"  {error['msg'].removeprefix('Value error, ')}")
            continue
        name = "_".join(str(part) for part in error["loc"])
        lines.append(f"  BATCHOPS_{name.upper()}: {error['msg']} (got {error.get('input')!r})")
    return "\n".join(lines)
