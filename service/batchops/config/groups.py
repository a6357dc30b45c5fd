"""The settings groups of the infrastructure, the gRPC API and the engines (one default and one
bound per setting, here; the README's configuration table is generated from them)."""

from __future__ import annotations

import os
import socket

from pydantic import Field, SecretStr, field_validator, model_validator

from batchops.config.base import SettingsGroup
from batchops.config.json_values import decode_json

# librdkafka properties the delivery guarantees rest on (offsets committed only after the work is
# durable, every send confirmed, no duplicates from retries): BATCHOPS_KAFKA_OVERRIDES may not set
# them. The consumer loop takes eager rebalances (``assign``, and a revoke that takes the whole
# assignment, so its carried records): a cooperative strategy made ``assign`` fail and the
# consumer never read a record while it reported running.
PROTECTED_KAFKA_PROPERTIES = frozenset(
    {
        "enable.auto.commit",
        "enable.auto.offset.store",
        "auto.offset.reset",
        "group.id",
        "enable.idempotence",
        "acks",
        "request.required.acks",
        "partition.assignment.strategy",
        "group.protocol",
    }
)


def _default_instance_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class InstanceSettings(SettingsGroup):
    """Who this process is: topic names, ZooKeeper root, client ids, the tenants it serves."""

    product_id: str = Field(
        default="sitewhere", pattern=r"^[A-Za-z0-9_-]+$", description="First part of topic names."
    )
    instance_id: str = Field(
        default="sitewhere1",
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Instance id: topic names and ZooKeeper root.",
    )
    instance_name: str = Field(
        default_factory=_default_instance_name,
        min_length=1,
        description="This process's name in Kafka client ids and ZooKeeper presence.",
    )
    namespace: str = Field(
        default="",
        validation_alias="grpc_namespace",
        description="Kubernetes namespace appended to derived addresses (FQDN).",
    )
    static_tenants: list[str] = Field(
        default_factory=list,
        description="Run engines for these tenant ids (JSON list) without ZooKeeper; "
        "empty = follow ZooKeeper.",
    )

    shutdown_grace_seconds: float | None = Field(
        default=None,
        ge=0,
        le=3600,
        description="On SIGTERM, how long in-flight API calls and running handlers may take; then the "
        "elements still claimed go back to Unprocessed and the process exits, within this + 5 s. "
        "Unset: BATCHOPS_GRPC_GRACE_SECONDS.",
    )

    _decode_tenants = field_validator("static_tenants", mode="before")(decode_json)


class KafkaSettings(SettingsGroup):
    bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        min_length=1,
        validation_alias="kafka_bootstrap_servers",
        description="Kafka bootstrap servers, comma-separated host:port.",
    )
    overrides: dict[str, str] = Field(
        default_factory=dict,
        validation_alias="kafka_overrides",
        description="Extra librdkafka properties for every client, as a JSON object "
        '(e.g. {"security.protocol": "SASL_SSL"}).',
    )
    topic_partitions: int = Field(
        default=8,
        ge=1,
        le=10_000,
        validation_alias="kafka_topic_partitions",
        description="Partitions of new tenant topics (a tenant may configure its own).",
    )
    topic_replication: int = Field(
        default=1,
        ge=1,
        le=100,
        validation_alias="kafka_topic_replication",
        description="Replication factor of new tenant topics (a tenant may configure its own).",
    )

    _decode_overrides = field_validator("overrides", mode="before")(decode_json)

    @field_validator("overrides")
    @classmethod
    def _no_guarantee_overrides(cls, value: dict[str, str]) -> dict[str, str]:
        refused = sorted(PROTECTED_KAFKA_PROPERTIES & set(value))
        if refused:
            raise ValueError(
                f"{', '.join(refused)} cannot be overridden "
                "(offset commits and confirmed sends depend on them)"
            )
        return value


# Ids per ``_id $in`` filter of element writes (``store.id_batches``): the default suits servers
# that match ``$in`` by scanning its list (SecantusDB); the most keeps one command's size sane.
IN_FILTER_IDS = 50
MAX_IN_FILTER_IDS = 1000


class MongoSettings(SettingsGroup):
    uri: str = Field(
        default="mongodb://127.0.0.1:27017/?directConnection=true",
        min_length=1,
        validation_alias="mongodb_uri",
        description="MongoDB connection URI.",
    )
    tenant_prefix: str = Field(
        default="tenant-",
        pattern=r"^[A-Za-z0-9_-]*$",
        validation_alias="mongodb_tenant_prefix",
        description="Tenant database name = prefix + tenant id.",
    )
    in_filter_ids: int = Field(
        default=IN_FILTER_IDS,
        ge=1,
        le=MAX_IN_FILTER_IDS,
        validation_alias="mongodb_in_filter_ids",
        description=(
            "Ids per `_id $in` filter of element writes (claims, renewals, hand-backs): a consumer "
            "batch takes batch size / this many commands. 50 suits servers that match $in by list "
            "scan (the development server); on MongoDB, 500 claims a default batch in one command."
        ),
    )


class ZookeeperSettings(SettingsGroup):
    hosts: str = Field(
        default="127.0.0.1:2181",
        min_length=1,
        validation_alias="zookeeper_hosts",
        description="ZooKeeper connect string.",
    )
    auth_username: str | None = Field(
        default=None,
        pattern=r"^[^:]+$",
        validation_alias="zookeeper_auth_username",
        description="ZooKeeper digest user: set with the password to authenticate and to give every "
        "node batchops creates an ACL for this identity only.",
    )
    auth_password: SecretStr | None = Field(
        default=None, validation_alias="zookeeper_auth_password", description="ZooKeeper digest password."
    )

    @model_validator(mode="after")
    def _pair(self) -> ZookeeperSettings:
        if bool(self.auth_username) != bool(self.auth_password):
            raise ValueError(
                "set both BATCHOPS_ZOOKEEPER_AUTH_USERNAME and BATCHOPS_ZOOKEEPER_AUTH_PASSWORD, or neither"
            )
        return self


class GrpcTlsSettings(SettingsGroup):
    cert_file: str | None = Field(
        default=None,
        validation_alias="grpc_tls_cert_file",
        description="PEM certificate (chain) of the gRPC API; set with the key file to serve TLS only.",
    )
    key_file: str | None = Field(
        default=None,
        validation_alias="grpc_tls_key_file",
        description="PEM private key of the gRPC API certificate.",
    )
    client_ca_file: str | None = Field(
        default=None,
        validation_alias="grpc_tls_client_ca_file",
        description="If set, clients must present a certificate signed by this PEM CA (mutual TLS).",
    )

    @model_validator(mode="after")
    def _pair(self) -> GrpcTlsSettings:
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError(
                "set both BATCHOPS_GRPC_TLS_CERT_FILE and BATCHOPS_GRPC_TLS_KEY_FILE, or neither"
            )
        if self.client_ca_file and not self.cert_file:
            raise ValueError(
                "BATCHOPS_GRPC_TLS_CLIENT_CA_FILE needs BATCHOPS_GRPC_TLS_CERT_FILE and _KEY_FILE"
            )
        return self


class GrpcServerSettings(SettingsGroup):
    """The gRPC API this process serves."""

    host: str = Field(
        default="0.0.0.0",
        min_length=1,
        validation_alias="grpc_host",
        description="Address the gRPC API listens on.",
    )
    port: int = Field(
        default=9000,
        ge=0,
        le=65535,
        validation_alias="grpc_port",
        description="Port of the gRPC API (0 picks a free one).",
    )
    max_message_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=4 * 1024 * 1024,
        validation_alias="grpc_max_message_bytes",
        description="Largest gRPC message accepted or sent, in bytes.",
    )
    max_request_bytes: int = Field(
        default=1024 * 1024,
        ge=256 * 1024,
        le=64 * 1024 * 1024,
        validation_alias="grpc_max_request_bytes",
        description="Largest request of every method but the two create RPCs (those may use "
        "BATCHOPS_GRPC_MAX_MESSAGE_BYTES).",
    )
    grace_seconds: float = Field(
        default=10.0,
        ge=0,
        validation_alias="grpc_grace_seconds",
        description="Former name of BATCHOPS_SHUTDOWN_GRACE_SECONDS, used while that is unset.",
    )
    tenant_max_concurrent_calls: int = Field(
        default=8,
        ge=1,
        le=1024,
        validation_alias="grpc_tenant_max_concurrent_calls",
        description="Calls one tenant may have in progress (of 32 API workers); more fail at once "
        "with RESOURCE_EXHAUSTED.",
    )
    health_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        validation_alias="grpc_health_port",
        description="If set, also serve grpc.health.v1 alone, in plaintext, on this port (for probes "
        "that cannot speak TLS).",
    )
    tls: GrpcTlsSettings = Field(default_factory=GrpcTlsSettings)


class RecoverySettings(SettingsGroup):
    """When each engine looks for work a crash or a lost record left behind."""

    interval_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias="recovery_interval_seconds",
        description="How often each engine looks for work a crash or lost record left behind.",
    )
    stale_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias="recovery_stale_seconds",
        description="How long work may go without progress before recovery re-publishes it.",
    )
    initialization_timeout_seconds: float = Field(
        default=3600.0,
        gt=0,
        le=30 * 24 * 3600,
        description="How long an Initializing operation may go without progress before it ends "
        "InitializedWithErrors with the chunks that arrived.",
    )


class LimitsSettings(SettingsGroup):
    """Sizes requests, pages and stored chunks are held to."""

    default_page_size: int = Field(default=100, ge=1, description="Page size used when a request asks for 0.")
    max_page_size: int = Field(default=10_000, ge=1, description="Largest page size a request may ask for.")
    max_page_bytes: int = Field(
        default=3 * 1024 * 1024,
        ge=256 * 1024,
        le=64 * 1024 * 1024,
        description="Largest encoded list page; a fuller page ends early (count stays the total).",
    )
    target_chunk_size: int = Field(
        default=10_000,
        ge=1,
        le=100_000,
        description="Device tokens per stored target chunk and per operations-topic record.",
    )
    max_device_tokens: int = Field(
        default=2_000_000, ge=1, description="Most device tokens one create request may carry."
    )


class TargetingSettings(SettingsGroup):
    """How criteria (device type, group, area...) are resolved to device tokens."""

    page_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        validation_alias="targeting_page_size",
        description="Page size when resolving criteria.",
    )
    # 64, not the 256 Settings once advertised: ClientSettings refused more, so a larger value
    # never got past start-up.
    lookup_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        validation_alias="targeting_lookup_concurrency",
        description="Parallel lookups in targeting.",
    )
