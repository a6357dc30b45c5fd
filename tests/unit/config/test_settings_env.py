"""Nested settings keep every flat BATCHOPS_* variable: same name, meaning, default and bounds,
and an invalid value is reported under the variable's name (from the error's location)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from batchops.api.auth import AuthSettings as AuthSettingsFromApi
from batchops.clients import ClientSettings
from batchops.config import (
    AuthSettings,
    ConfigurationError,
    GrpcClientSettings,
    Settings,
    env_name,
    load_settings,
    settings_fields,
)

# Every variable batchops read before the settings were nested: raw value -> (path, parsed).
EVERY_VARIABLE: dict[str, tuple[str, tuple[str, ...], object]] = {
    "BATCHOPS_PRODUCT_ID": ("p1", ("instance", "product_id"), "p1"),
    "BATCHOPS_INSTANCE_ID": ("i1", ("instance", "instance_id"), "i1"),
    "BATCHOPS_INSTANCE_NAME": ("n1", ("instance", "instance_name"), "n1"),
    "BATCHOPS_GRPC_NAMESPACE": ("ns", ("instance", "namespace"), "ns"),
    "BATCHOPS_STATIC_TENANTS": ('["a", "b"]', ("instance", "static_tenants"), ["a", "b"]),
    "BATCHOPS_SHUTDOWN_GRACE_SECONDS": ("4.5", ("instance", "shutdown_grace_seconds"), 4.5),
    "BATCHOPS_KAFKA_BOOTSTRAP_SERVERS": ("k:1", ("kafka", "bootstrap_servers"), "k:1"),
    "BATCHOPS_KAFKA_OVERRIDES": ('{"linger.ms": "5"}', ("kafka", "overrides"), {"linger.ms": "5"}),
    "BATCHOPS_KAFKA_TOPIC_PARTITIONS": ("3", ("kafka", "topic_partitions"), 3),
    "BATCHOPS_KAFKA_TOPIC_REPLICATION": ("2", ("kafka", "topic_replication"), 2),
    "BATCHOPS_MONGODB_URI": ("mongodb://m:1", ("mongodb", "uri"), "mongodb://m:1"),
    "BATCHOPS_MONGODB_TENANT_PREFIX": ("t_", ("mongodb", "tenant_prefix"), "t_"),
    "BATCHOPS_MONGODB_IN_FILTER_IDS": ("500", ("mongodb", "in_filter_ids"), 500),
    "BATCHOPS_ZOOKEEPER_HOSTS": ("z:1", ("zookeeper", "hosts"), "z:1"),
    "BATCHOPS_ZOOKEEPER_AUTH_USERNAME": ("u", ("zookeeper", "auth_username"), "u"),
    "BATCHOPS_ZOOKEEPER_AUTH_PASSWORD": ("zk-pw", ("zookeeper", "auth_password"), "zk-pw"),
    "BATCHOPS_GRPC_HOST": ("127.0.0.2", ("grpc", "host"), "127.0.0.2"),
    "BATCHOPS_GRPC_PORT": ("9001", ("grpc", "port"), 9001),
    "BATCHOPS_GRPC_MAX_MESSAGE_BYTES": ("8388608", ("grpc", "max_message_bytes"), 8388608),
    "BATCHOPS_GRPC_MAX_REQUEST_BYTES": ("524288", ("grpc", "max_request_bytes"), 524288),
    "BATCHOPS_GRPC_GRACE_SECONDS": ("3.5", ("grpc", "grace_seconds"), 3.5),
    "BATCHOPS_GRPC_TENANT_MAX_CONCURRENT_CALLS": ("4", ("grpc", "tenant_max_concurrent_calls"), 4),
    "BATCHOPS_GRPC_HEALTH_PORT": ("9002", ("grpc", "health_port"), 9002),
    "BATCHOPS_GRPC_TLS_CERT_FILE": ("/c.pem", ("grpc", "tls", "cert_file"), "/c.pem"),
    "BATCHOPS_GRPC_TLS_KEY_FILE": ("/k.pem", ("grpc", "tls", "key_file"), "/k.pem"),
    "BATCHOPS_GRPC_TLS_CLIENT_CA_FILE": ("/ca.pem", ("grpc", "tls", "client_ca_file"), "/ca.pem"),
    "BATCHOPS_DEVICE_MANAGEMENT_ADDRESS": ("d:1", ("grpc_client", "device_management_address"), "d:1"),
    "BATCHOPS_EVENT_MANAGEMENT_ADDRESS": ("e:1", ("grpc_client", "event_management_address"), "e:1"),
    "BATCHOPS_GRPC_CLIENT_DEADLINE_SECONDS": ("2.5", ("grpc_client", "deadline_seconds"), 2.5),
    "BATCHOPS_GRPC_CLIENT_MAX_ATTEMPTS": ("7", ("grpc_client", "max_attempts"), 7),
    "BATCHOPS_GRPC_CLIENT_INITIAL_BACKOFF_SECONDS": ("0.2", ("grpc_client", "initial_backoff_seconds"), 0.2),
    "BATCHOPS_GRPC_CLIENT_MAX_BACKOFF_SECONDS": ("3", ("grpc_client", "max_backoff_seconds"), 3.0),
    "BATCHOPS_GRPC_CLIENT_BACKOFF_MULTIPLIER": ("1.5", ("grpc_client", "backoff_multiplier"), 1.5),
    "BATCHOPS_GRPC_CLIENT_RETRY_WRITES_ON_DEADLINE": (
        "false",
        ("grpc_client", "retry_writes_on_deadline"),
        False,
    ),
    "BATCHOPS_AUTH_ENABLED": ("false", ("auth", "enabled"), False),
    "BATCHOPS_AUTH_JWT_SECRET": ("s3cret", ("auth", "hs256_secret"), "s3cret"),
    "BATCHOPS_AUTH_JWT_PUBLIC_KEY": ("/key.pem", ("auth", "rs256_public_key"), "/key.pem"),
    "BATCHOPS_AUTH_JWT_ISSUER": ("iss", ("auth", "issuer"), "iss"),
    "BATCHOPS_AUTH_JWT_AUDIENCE": ("aud", ("auth", "audience"), "aud"),
    "BATCHOPS_AUTH_JWT_LEEWAY_SECONDS": ("5", ("auth", "leeway_seconds"), 5.0),
    "BATCHOPS_AUTH_JWT_MAX_LIFETIME_SECONDS": ("60", ("auth", "max_lifetime_seconds"), 60.0),
    "BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE": ("true", ("auth", "allow_unauthenticated_remote"), True),
    "BATCHOPS_RECOVERY_INTERVAL_SECONDS": ("2", ("recovery", "interval_seconds"), 2.0),
    "BATCHOPS_RECOVERY_STALE_SECONDS": ("3", ("recovery", "stale_seconds"), 3.0),
    "BATCHOPS_INITIALIZATION_TIMEOUT_SECONDS": ("4", ("recovery", "initialization_timeout_seconds"), 4.0),
    "BATCHOPS_DEFAULT_PAGE_SIZE": ("10", ("limits", "default_page_size"), 10),
    "BATCHOPS_MAX_PAGE_SIZE": ("20", ("limits", "max_page_size"), 20),
    "BATCHOPS_MAX_PAGE_BYTES": ("524288", ("limits", "max_page_bytes"), 524288),
    "BATCHOPS_TARGET_CHUNK_SIZE": ("50", ("limits", "target_chunk_size"), 50),
    "BATCHOPS_MAX_DEVICE_TOKENS": ("99", ("limits", "max_device_tokens"), 99),
    "BATCHOPS_TARGETING_PAGE_SIZE": ("50", ("targeting", "page_size"), 50),
    "BATCHOPS_TARGETING_LOOKUP_CONCURRENCY": ("16", ("targeting", "lookup_concurrency"), 16),
    "BATCHOPS_METRICS_PORT": ("9091", ("metrics_port",), 9091),
    "BATCHOPS_LOG_LEVEL": ("debug", ("log_level",), "DEBUG"),
    "BATCHOPS_LOG_FORMAT": ("text", ("log_format",), "text"),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in EVERY_VARIABLE:
        monkeypatch.delenv(name, raising=False)


def value_at(settings: Settings, path: tuple[str, ...]) -> Any:
    value: Any = settings
    for part in path:
        value = getattr(value, part)
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def test_the_settings_are_exactly_the_variables_batchops_always_had() -> None:
    declared = {env_name(flat): path for path, flat, _field in settings_fields(Settings)}
    assert declared == {name: path for name, (_raw, path, _parsed) in EVERY_VARIABLE.items()}


def test_every_variable_sets_its_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, (raw, _path, _parsed) in EVERY_VARIABLE.items():
        monkeypatch.setenv(name, raw)
    settings = load_settings()
    for name, (_raw, path, parsed) in EVERY_VARIABLE.items():
        assert value_at(settings, path) == parsed, name


def test_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("batchops_grpc_port", "9005")
    assert load_settings().grpc.port == 9005


def test_keyword_overrides_use_the_flat_names_and_beat_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BATCHOPS_GRPC_PORT", "9005")
    monkeypatch.setenv("BATCHOPS_TARGET_CHUNK_SIZE", "77")
    settings = load_settings(grpc_port=9006)
    assert settings.grpc.port == 9006
    assert settings.limits.target_chunk_size == 77


def test_a_group_given_whole_keeps_its_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCHOPS_GRPC_CLIENT_MAX_ATTEMPTS", "9")
    monkeypatch.setenv("BATCHOPS_GRPC_CLIENT_DEADLINE_SECONDS", "4")
    settings = Settings(grpc_client=GrpcClientSettings(max_attempts=2))
    assert settings.grpc_client.max_attempts == 2  # given explicitly
    assert settings.grpc_client.deadline_seconds == 4.0  # not given: from the environment


def test_unknown_batchops_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCHOPS_NO_SUCH_SETTING", "1")
    monkeypatch.setenv("BATCHOPS_AUTH", '{"enabled": false}')  # a group's name is no variable
    assert load_settings().auth.enabled


def test_defaults_are_the_documented_ones() -> None:
    settings = load_settings()
    assert settings.auth.enabled
    assert settings.grpc.host == "0.0.0.0"
    assert settings.kafka.topic_partitions == 8
    assert settings.grpc_client.max_attempts == 5
    assert settings.targeting.lookup_concurrency == 8
    assert settings.recovery.interval_seconds == 15.0
    assert settings.limits.max_device_tokens == 2_000_000
    assert settings.instance.instance_name  # computed: host name and pid


def test_authentication_is_on_by_default_everywhere() -> None:
    assert AuthSettings().enabled
    assert AuthSettingsFromApi is AuthSettings
    assert Settings().auth.enabled


def test_components_get_the_groups_themselves() -> None:
    assert ClientSettings is GrpcClientSettings
    settings = load_settings()
    assert isinstance(settings.grpc_client, ClientSettings)


@pytest.mark.parametrize(
    ("variable", "raw", "complaint"),
    [
        # Settings advertised 256 and the clients refused more than 64 (at start-up, without
        # naming the variable): the stricter bound stays, now reported under its name.
        ("BATCHOPS_TARGETING_LOOKUP_CONCURRENCY", "65", "less than or equal to 64"),
        ("BATCHOPS_TARGETING_LOOKUP_CONCURRENCY", "0", "greater than or equal to 1"),
        ("BATCHOPS_GRPC_CLIENT_MAX_ATTEMPTS", "51", "less than or equal to 50"),
        ("BATCHOPS_GRPC_CLIENT_INITIAL_BACKOFF_SECONDS", "0", "greater than 0"),
        ("BATCHOPS_GRPC_CLIENT_MAX_BACKOFF_SECONDS", "0", "greater than 0"),
        ("BATCHOPS_GRPC_PORT", "not-a-port", "valid integer"),
        ("BATCHOPS_AUTH_JWT_LEEWAY_SECONDS", "601", "less than or equal to 600"),
        ("BATCHOPS_KAFKA_TOPIC_PARTITIONS", "0", "greater than or equal to 1"),
        ("BATCHOPS_MONGODB_TENANT_PREFIX", "a/b", "match pattern"),
        ("BATCHOPS_MONGODB_IN_FILTER_IDS", "0", "greater than or equal to 1"),
        ("BATCHOPS_MONGODB_IN_FILTER_IDS", "1001", "less than or equal to 1000"),
        ("BATCHOPS_LOG_FORMAT", "xml", "'json' or 'text'"),
        ("BATCHOPS_STATIC_TENANTS", '["a"', "not valid JSON"),
        ("BATCHOPS_KAFKA_OVERRIDES", "{oops", "not valid JSON"),
        ("BATCHOPS_KAFKA_OVERRIDES", '{"linger.ms": 5}', "valid string"),
    ],
)
def test_an_invalid_value_is_reported_under_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, raw: str, complaint: str
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(ConfigurationError) as info:
        load_settings()
    line = next(line for line in str(info.value).splitlines() if variable in line)
    assert line.strip().startswith(f"{variable}: ")
    assert complaint in line


def test_the_largest_allowed_values_still_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCHOPS_TARGETING_LOOKUP_CONCURRENCY", "64")
    monkeypatch.setenv("BATCHOPS_GRPC_CLIENT_MAX_ATTEMPTS", "50")
    settings = load_settings()
    assert (settings.targeting.lookup_concurrency, settings.grpc_client.max_attempts) == (64, 50)


def test_an_error_in_a_group_given_by_field_name_still_names_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="BATCHOPS_AUTH_JWT_LEEWAY_SECONDS: "):
        load_settings(auth={"leeway_seconds": 601})


def test_the_shutdown_grace_keeps_its_former_name(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().shutdown_grace == 10.0
    monkeypatch.setenv("BATCHOPS_GRPC_GRACE_SECONDS", "3")
    assert load_settings().shutdown_grace == 3.0  # the former name alone still works
    monkeypatch.setenv("BATCHOPS_SHUTDOWN_GRACE_SECONDS", "4")
    assert load_settings().shutdown_grace == 4.0  # the new name wins
