"""SystemTokenIssuer: who can sign, what is signed, caching and refresh before expiry."""

from __future__ import annotations

import threading

import jwt
import pytest

from batchops.api.auth import Authenticator, AuthSettings
from batchops.api.system_token import SYSTEM_AUTHORITIES, SystemTokenIssuer

SECRET = "system-token-test-secret-" + "y" * 40
PUBLIC_KEY_ONLY = AuthSettings(enabled=True, rs256_public_key="unused: never loaded by the issuer")


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def issuer(clock: Clock, **settings: object) -> SystemTokenIssuer:
    values: dict[str, object] = {"enabled": True, "hs256_secret": SECRET, **settings}
    return SystemTokenIssuer(
        AuthSettings(**values),  # type: ignore[arg-type]
        lifetime_seconds=600,
        refresh_margin_seconds=120,
        clock=clock,
    )


def test_no_token_when_auth_is_off_or_nothing_to_sign_with() -> None:
    assert SystemTokenIssuer(AuthSettings(enabled=False, hs256_secret=SECRET)).token("t1") is None
    assert SystemTokenIssuer(AuthSettings(enabled=False)).token("t1") is None
    only_public = SystemTokenIssuer(PUBLIC_KEY_ONLY)
    assert only_public.token("t1") is None
    assert not only_public.can_sign


def test_token_is_accepted_by_our_authenticator_as_the_system_user_of_that_tenant() -> None:
    # A real clock: the authenticator checks exp against the wall time.
    settings = AuthSettings(enabled=True, hs256_secret=SECRET, issuer="sitewhere", audience="batchops")
    token = SystemTokenIssuer(settings).token("tenant-a")
    assert token is not None
    principal = Authenticator(settings).verify(token)
    assert principal.username == "system"
    assert principal.authorities == frozenset(SYSTEM_AUTHORITIES)
    # ADMINISTER_TENANTS is a wildcard authority, as for SiteWhere's system user.
    assert principal.may_access("tenant-a")


def test_claims_name_the_tenant_and_expire() -> None:
    clock = Clock()
    token = issuer(clock).token("tenant-a")
    assert token is not None
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["sub"] == "system"
    assert claims["tenants"] == ["tenant-a"]
    assert claims["auth"] == list(SYSTEM_AUTHORITIES)
    assert claims["exp"] - claims["iat"] == 600
    assert "iss" not in claims and "aud" not in claims


def test_cached_until_the_refresh_margin_then_reminted() -> None:
    clock = Clock()
    tokens = issuer(clock)
    first = tokens.token("tenant-a")
    clock.now += 479  # 600 s lifetime, refreshed 120 s before expiry
    assert tokens.token("tenant-a") == first
    clock.now += 1
    second = tokens.token("tenant-a")
    assert second is not None and second != first


def test_one_token_per_tenant() -> None:
    clock = Clock()
    tokens = issuer(clock)
    assert tokens.token("tenant-a") != tokens.token("tenant-b")
    assert tokens.token("tenant-a") == tokens.token("tenant-a")


def test_concurrent_callers_share_one_token() -> None:
    clock = Clock()
    tokens = issuer(clock)
    seen: set[str | None] = set()

    def fetch() -> None:
        seen.add(tokens.token("tenant-a"))

    threads = [threading.Thread(target=fetch) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 1 and None not in seen


@pytest.mark.parametrize(("lifetime", "margin"), [(0, 0), (60, 60), (60, -1)])
def test_rejects_a_refresh_margin_that_does_not_fit_the_lifetime(lifetime: float, margin: float) -> None:
    with pytest.raises(ValueError):
        SystemTokenIssuer(
            AuthSettings(enabled=True, hs256_secret=SECRET),
            lifetime_seconds=lifetime,
            refresh_margin_seconds=margin,
        )
