"""Process settings: nested groups, each setting read from its ``BATCHOPS_*`` variable."""

from batchops.config.auth import AuthSettings
from batchops.config.base import SettingsGroup, env_name, settings_fields
from batchops.config.groups import (
    PROTECTED_KAFKA_PROPERTIES,
    GrpcServerSettings,
    GrpcTlsSettings,
    InstanceSettings,
    KafkaSettings,
    LimitsSettings,
    MongoSettings,
    RecoverySettings,
    TargetingSettings,
    ZookeeperSettings,
)
from batchops.config.grpc_client import GrpcClientSettings, default_address
from batchops.config.settings import (
    ConfigurationError,
    LogLevel,
    Settings,
    describe_validation_error,
    is_loopback,
    load_settings,
    with_overrides,
)

__all__ = [
    "PROTECTED_KAFKA_PROPERTIES",
    "AuthSettings",
    "ConfigurationError",
    "GrpcClientSettings",
    "GrpcServerSettings",
    "GrpcTlsSettings",
    "InstanceSettings",
    "KafkaSettings",
    "LimitsSettings",
    "LogLevel",
    "MongoSettings",
    "RecoverySettings",
    "Settings",
    "SettingsGroup",
    "TargetingSettings",
    "ZookeeperSettings",
    "default_address",
    "describe_validation_error",
    "env_name",
    "is_loopback",
    "load_settings",
    "settings_fields",
    "with_overrides",
]
