"""Checks across settings added by issue 12: each mistake stops start-up with a clear message."""

from __future__ import annotations

import pytest

from batchops.config import ConfigurationError, load_settings

LOCAL = {"grpc_host": "127.0.0.1", "auth_enabled": False}


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"grpc_tls_cert_file": "/c.pem"}, "BATCHOPS_GRPC_TLS_KEY_FILE"),
        ({"grpc_tls_key_file": "/k.pem"}, "BATCHOPS_GRPC_TLS_CERT_FILE"),
        ({"grpc_tls_client_ca_file": "/ca.pem"}, "BATCHOPS_GRPC_TLS_CLIENT_CA_FILE"),
        ({"zookeeper_auth_username": "batchops"}, "BATCHOPS_ZOOKEEPER_AUTH_PASSWORD"),
        ({"zookeeper_auth_password": "secret"}, "BATCHOPS_ZOOKEEPER_AUTH_USERNAME"),
        (
            {"zookeeper_auth_username": "a:b", "zookeeper_auth_password": "x"},
            "BATCHOPS_ZOOKEEPER_AUTH_USERNAME",
        ),
        (
            {"max_page_bytes": 8 * 1024 * 1024, "grpc_max_message_bytes": 4 * 1024 * 1024},
            "BATCHOPS_MAX_PAGE_BYTES",
        ),
        ({"grpc_tenant_max_concurrent_calls": 0}, "BATCHOPS_GRPC_TENANT_MAX_CONCURRENT_CALLS"),
        ({"grpc_max_request_bytes": 10}, "BATCHOPS_GRPC_MAX_REQUEST_BYTES"),
        ({"auth_jwt_max_lifetime_seconds": 0}, "BATCHOPS_AUTH_JWT_MAX_LIFETIME_SECONDS"),
    ],
)
def test_inconsistent_settings_are_refused(overrides: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(**LOCAL, **overrides)
    assert named in str(info.value)


def test_consistent_settings_load() -> None:
    settings = load_settings(
        **LOCAL,
        grpc_tls_cert_file="/c.pem",
        grpc_tls_key_file="/k.pem",
        grpc_tls_client_ca_file="/ca.pem",
        zookeeper_auth_username="batchops",
        zookeeper_auth_password="zk-pw-4711",
    )
    assert settings.zookeeper.auth_password is not None
    assert "zk-pw-4711" not in repr(settings)
