"""Process settings, read from the environment (prefix ``BATCHOPS_``).

Every field here is documented in the README's configuration reference; keep the two in step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


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
    kafka_topic_partitions: int = Field(8, ge=1, le=10_000, description="Partitions of topics we create.")
    kafka_topic_replication: int = Field(
        1, ge=1, le=100, description="Replication factor of topics we create."
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
    log_format: Literal["json", "text"] = Field("json", description="json: one JSON object per line.")
    default_page_size: int = Field(100, ge=1, description="Page size used when a request asks for 0.")
    max_page_size: int = Field(10_000, ge=1, description="Largest page size a request may ask for.")
    target_chunk_size: int = Field(
        10_000,
        ge=1,
        le=100_000,
        description="Device tokens per stored target chunk and per operations-topic record.",
    )
    max_device_tokens: int = Field(
        2_000_000, ge=1, description="Most device tokens one create request may carry."
    )

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value


class ConfigurationError(Exception):
    """Raised with a human-readable message naming the offending settings."""


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; turn validation errors into one clear message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(describe_validation_error(exc)) from None
    except SettingsError as exc:  # e.g. a JSON-valued setting that is not JSON
        raise ConfigurationError(f"invalid configuration: {exc}") from None


def describe_validation_error(exc: ValidationError) -> str:
    lines = ["invalid configuration:"]
    for error in exc.errors():
        name = "_".join(str(part) for part in error["loc"]) or "?"
        lines.append(f"  BATCHOPS_{name.upper()}: {error['msg']} (got {error.get('input')!r})")
    return "\n".join(lines)
