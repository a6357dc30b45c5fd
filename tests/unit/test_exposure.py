"""Issue 12, item 8: authentication off is never reachable from other machines by accident."""

from __future__ import annotations

import pytest

from batchops.config import ConfigurationError, is_loopback, load_settings
from batchops.dev_mode import dev_overrides


def test_dev_mode_binds_loopback_whatever_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATCHOPS_GRPC_HOST", "0.0.0.0")
    monkeypatch.setenv("BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE", "true")
    settings = load_settings(**dev_overrides())
    assert not settings.auth.enabled
    assert settings.grpc.host == "127.0.0.1"  # the metrics endpoint binds the same address


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "batchops.example.com"])
def test_auth_off_on_a_reachable_address_refuses_to_start(host: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(auth_enabled=False, grpc_host=host)
    assert "BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE" in str(info.value)
    assert f"BATCHOPS_GRPC_HOST={host}" in str(info.value)


def test_forcing_or_loopback_or_auth_on_starts() -> None:
    assert load_settings(auth_enabled=False, grpc_host="0.0.0.0", allow_unauthenticated_remote=True)
    assert load_settings(auth_enabled=False, grpc_host="127.0.0.1")
    assert load_settings(auth_enabled=True, grpc_host="0.0.0.0")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.9.9.9", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
