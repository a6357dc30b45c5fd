"""Per-tenant configuration of the batch-operations engine, and its two on-ZooKeeper formats.

- ``batch-operations.json`` (ours): a JSON object with camelCase keys (snake_case is accepted too);
  every key is optional, unknown keys are refused.
- ``batch-operations.xml`` (SiteWhere 2.x): Spring beans XML; only the ``throttleDelayMs`` attribute
  of the ``batch-operation-manager`` element (any namespace) is read, everything else is default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from batchops.config.safe_xml import UnsafeXmlError, parse_untrusted_xml
from batchops.errors import BatchopsError, ErrorKind

MAX_CONFIG_BYTES = 1024 * 1024
_OPERATION_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,127}")
# Spring property placeholder with a default: ${some.property:100}
_PLACEHOLDER = re.compile(r"\$\{([^}:]*)(?::([^}]*))?\}")
_MANAGER_ELEMENT = "batch-operation-manager"
_THROTTLE_ATTRIBUTE = "throttleDelayMs"


class TenantConfigurationError(BatchopsError):
    """A tenant configuration that cannot be used; the message names the offending field."""

    kind = ErrorKind.INVALID_INPUT


class TenantConfiguration(BaseModel):
    """Settings of one tenant's engine. Immutable; ``handler_options`` must not be mutated either."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,  # "100" is not a number and true is not 1
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    throttle_delay_ms: int = Field(
        default=0, ge=0, le=60_000, description="SiteWhere's throttleDelayMs: pause before each element."
    )
    rate_limit_per_second: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        allow_inf_nan=False,
        description="Elements processed per second for the tenant; 0 = unlimited.",
    )
    topic_partitions: int = Field(
        default=8, ge=1, le=10_000, description="Partitions of the tenant's topics."
    )
    topic_replication: int = Field(
        default=1, ge=1, le=100, description="Replication factor of the tenant's topics."
    )
    processing_concurrency: int = Field(default=32, ge=1, le=4096, description="Handler calls in flight.")
    consumer_batch_size: int = Field(
        default=500, ge=1, le=100_000, description="Records taken per consumer poll."
    )
    lease_seconds: int = Field(
        default=60,
        ge=1,
        le=86_400,
        description="How long a claimed element may stay Processing before reclaim.",
    )
    max_attempts: int = Field(default=3, ge=1, le=100, description="Handler attempts per element.")
    handler_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Options per operation type, passed to that type's handler."
    )

    @field_validator("handler_options")
    @classmethod
    def _known_shape(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for operation_type in value:
            if not _OPERATION_TYPE.fullmatch(operation_type):
                raise ValueError(f"invalid operation type {operation_type[:128]!r}")
        return value


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc and loc[0] in TenantConfiguration.model_fields:
            loc[0] = to_camel(loc[0])
        where = ".".join(loc) or "configuration"
        problems.append(f"{where}: {error['msg']} (got {error.get('input')!r})")
    return "invalid tenant configuration: " + "; ".join(problems)


def from_mapping(values: Mapping[str, Any]) -> TenantConfiguration:
    """Validate a mapping with camelCase or snake_case keys (not both for one field)."""
    for name in TenantConfiguration.model_fields:
        if name != to_camel(name) and name in values and to_camel(name) in values:
            raise TenantConfigurationError(
                f"invalid tenant configuration: {to_camel(name)}: given twice (as {name} too)"
            )
    try:
        return TenantConfiguration.model_validate(dict(values))
    except ValidationError as exc:
        raise TenantConfigurationError(_describe(exc)) from None


def parse_json(data: bytes) -> TenantConfiguration:
    """Our ``batch-operations.json``: a JSON object; every key optional."""
    if len(data) > MAX_CONFIG_BYTES:
        raise TenantConfigurationError(f"invalid tenant configuration: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        values = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise TenantConfigurationError(f"invalid tenant configuration: not JSON ({exc})") from None
    if not isinstance(values, dict):
        raise TenantConfigurationError("invalid tenant configuration: the JSON must be an object")
    return from_mapping(values)


def parse_sitewhere_xml(data: bytes) -> TenantConfiguration:
    """SiteWhere 2.x's ``batch-operations.xml``: ``throttleDelayMs`` of ``batch-operation-manager``."""
    try:
        root = parse_untrusted_xml(data)
    except UnsafeXmlError as exc:
        raise TenantConfigurationError(f"invalid SiteWhere configuration XML: {exc}") from None
    managers = [element for element in root.iter() if _local_name(element.tag) == _MANAGER_ELEMENT]
    if len(managers) > 1:
        raise TenantConfigurationError(
            f"invalid SiteWhere configuration XML: {len(managers)} {_MANAGER_ELEMENT} elements, expected one"
        )
    raw = managers[0].get(_THROTTLE_ATTRIBUTE) if managers else None
    if raw is None:
        return TenantConfiguration()
    return from_mapping({_THROTTLE_ATTRIBUTE: _xml_int(_THROTTLE_ATTRIBUTE, raw)})


def _local_name(tag: str) -> str:
    # ElementTree spells namespaced tags "{uri}local"; comments and PIs have non-string tags.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_int(field: str, raw: str) -> int:
    text = raw.strip()
    placeholder = _PLACEHOLDER.fullmatch(text)
    if placeholder:
        # The Spring context's properties are not ours to read; only the placeholder's default is usable.
        if placeholder.group(2) is None:
            raise TenantConfigurationError(
                f"invalid SiteWhere configuration XML: {field}: placeholder {text!r} has no default value"
            )
        text = placeholder.group(2).strip()
    try:
        return int(text, 10)
    except ValueError:
        raise TenantConfigurationError(
            f"invalid SiteWhere configuration XML: {field}: not an integer (got {raw!r})"
        ) from None


def render_json(config: TenantConfiguration) -> bytes:
    """The JSON form of ``config``: only the settings it was given (camelCase, stable order), so
    everything else keeps following the defaults, including the process-wide topic defaults."""
    return (config.model_dump_json(by_alias=True, indent=2, exclude_unset=True) + "\n").encode()
