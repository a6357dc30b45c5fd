"""JWT authentication and tenant authorization: the token matrix, claims, headers, settings."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from batchops.api.auth import (
    ALL_TENANTS,
    Authenticator,
    AuthError,
    AuthSettings,
    PermissionDenied,
    Principal,
    describe_auth,
    extract_token,
    load_public_key,
    outgoing_metadata,
    principal_from_claims,
)
from batchops.api.errors import status_code

SECRET = "unit-test-secret-" + "x" * 48


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def auth(rsa_key: rsa.RSAPrivateKey) -> Authenticator:
    return Authenticator(
        AuthSettings(
            enabled=True, hs256_secret=SECRET, rs256_public_key=public_pem(rsa_key), leeway_seconds=0
        )
    )


def make_token(key: Any = SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": "alice", "auth": ["REST"], "tenants": ["t1"], "iat": now, "exp": now + 300}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm)


def jwt_md(token: str) -> tuple[tuple[str, str], ...]:
    return (("jwt", token), ("tenant", "t1"))


# ---- the token matrix -------------------------------------------------------------------------


def test_no_token_is_unauthenticated(auth: Authenticator) -> None:
    with pytest.raises(AuthError) as info:
        auth.authenticate((("tenant", "t1"),))
    assert status_code(info.value) == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    "token_factory",
    [
        pytest.param(lambda: make_token(key="other-" + "y" * 64), id="bad-signature"),
        pytest.param(lambda: make_token(exp=int(time.time()) - 60), id="expired"),
        pytest.param(lambda: make_token(nbf=int(time.time()) + 600), id="not-yet-valid"),
        pytest.param(lambda: make_token(exp=None), id="no-expiry"),
        pytest.param(lambda: make_token(sub=None), id="no-subject"),
        pytest.param(lambda: make_token(algorithm="HS384"), id="algorithm-not-configured"),
        pytest.param(lambda: jwt.encode({"sub": "a", "exp": 2**40}, None, algorithm="none"), id="alg-none"),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
        pytest.param(lambda: make_token(tenants=[1, 2]), id="malformed-tenants"),
    ],
)
def test_invalid_tokens_are_unauthenticated(auth: Authenticator, token_factory: Any) -> None:
    with pytest.raises(AuthError) as info:
        auth.authenticate(jwt_md(token_factory()))
    assert status_code(info.value) == grpc.StatusCode.UNAUTHENTICATED
    assert not isinstance(info.value, PermissionDenied)


def test_expired_and_immature_messages_say_why(auth: Authenticator) -> None:
    with pytest.raises(AuthError, match="expired"):
        auth.verify(make_token(exp=int(time.time()) - 60))
    with pytest.raises(AuthError, match="not yet valid"):
        auth.verify(make_token(nbf=int(time.time()) + 600))


def test_valid_hs256(auth: Authenticator) -> None:
    token = make_token()
    principal = auth.authenticate(jwt_md(token))
    assert principal == Principal("alice", frozenset({"REST"}), frozenset({"t1"}), token)
    auth.authorize(principal, "t1")


def test_valid_rs256(auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    token = make_token(key=rsa_key, algorithm="RS256", sub="bob")
    principal = auth.authenticate(jwt_md(token))
    assert principal.username == "bob"
    assert principal.token == token


def test_rs256_signed_by_another_key_is_refused(auth: Authenticator) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError):
        auth.verify(make_token(key=other, algorithm="RS256"))


def test_public_key_used_as_hmac_secret_is_refused(auth: Authenticator, rsa_key: rsa.RSAPrivateKey) -> None:
    # The classic key-confusion attack: sign HS256 with the (public) RSA key as secret.
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + b"." + b64(b'{"sub":"m","exp":9999999999}')
    signature = hmac.new(public_pem(rsa_key).encode(), signing_input, hashlib.sha256).digest()
    forged = (signing_input + b"." + b64(signature)).decode()
    rsa_only = Authenticator(AuthSettings(enabled=True, rs256_public_key=public_pem(rsa_key)))
    with pytest.raises(AuthError, match="not accepted"):
        rsa_only.verify(forged)


def test_wrong_tenant_is_permission_denied(auth: Authenticator) -> None:
    principal = auth.authenticate(jwt_md(make_token(tenants=["t1"])))
    with pytest.raises(PermissionDenied) as info:
        auth.authorize(principal, "t2")
    assert status_code(info.value) == grpc.StatusCode.PERMISSION_DENIED


def test_missing_tenant_header_passes_authorization(auth: Authenticator) -> None:
    auth.authorize(auth.verify(make_token()), None)


def test_token_without_tenants_may_use_none(auth: Authenticator) -> None:
    principal = auth.verify(make_token(tenants=None))
    assert principal.tenants == frozenset()
    with pytest.raises(PermissionDenied):
        auth.authorize(principal, "t1")


# ---- claims -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "claims",
    [
        {"tenants": "*"},
        {"tenants": ["t1", "*"]},
        {"auth": ["ADMINISTER_TENANTS"]},
        {"roles": "ROLE_ADMIN"},
    ],
)
def test_wildcards_grant_every_tenant(claims: dict[str, Any]) -> None:
    principal = principal_from_claims({"sub": "root", **claims}, "tok")
    assert principal.tenants is ALL_TENANTS
    assert principal.may_access("anything")


def test_authorities_merge_every_claim() -> None:
    principal = principal_from_claims(
        {"sub": "u", "auth": ["A"], "authorities": "B, C", "roles": ["D"], "tenants": ["x", "y"]}, "tok"
    )
    assert principal.authorities == {"A", "B", "C", "D"}
    assert principal.tenants == {"x", "y"}


def test_issuer_and_audience_checked_when_configured() -> None:
    strict = Authenticator(AuthSettings(enabled=True, hs256_secret=SECRET, issuer="iss", audience="aud"))
    strict.verify(make_token(iss="iss", aud="aud"))
    for claims in ({"iss": "other", "aud": "aud"}, {"iss": "iss", "aud": "other"}, {}):
        with pytest.raises(AuthError):
            strict.verify(make_token(**claims))


def test_leeway_tolerates_small_clock_skew() -> None:
    lenient = Authenticator(AuthSettings(enabled=True, hs256_secret=SECRET, leeway_seconds=120))
    lenient.verify(make_token(exp=int(time.time()) - 30))


# ---- headers, disabled mode, settings ---------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ((("jwt", "abc"),), "abc"),
        ((("jwt", "Bearer abc"),), "abc"),
        ((("authorization", "Bearer abc"),), "abc"),
        ((("authorization", "bearer  abc "),), "abc"),
        ((("authorization", "Basic abc"),), None),
        ((("jwt", " "),), None),
        ((("jwt", "abc"), ("authorization", "Bearer def")), "abc"),
        ((("tenant", "t1"),), None),
        (None, None),
    ],
)
def test_extract_token(metadata: Any, expected: str | None) -> None:
    assert extract_token(metadata) == expected


def test_disabled_auth_gives_development_principal_with_every_tenant() -> None:
    disabled = Authenticator(AuthSettings(enabled=False))
    principal = disabled.authenticate((("jwt", "unverified"),))
    assert principal.tenants is ALL_TENANTS
    assert principal.token == "unverified"
    disabled.authorize(principal, "any-tenant")
    assert "DISABLED" in describe_auth(AuthSettings(enabled=False))


def test_auth_settings_default_to_authentication_on() -> None:
    """Issue 12, item 9: settings built without the process configuration fail closed."""
    assert AuthSettings().enabled
    with pytest.raises(ValueError, match="neither"):
        Authenticator(AuthSettings())
    with pytest.raises(AuthError):
        Authenticator(AuthSettings(hs256_secret=SECRET)).authenticate((("tenant", "t1"),))


def test_describe_enabled_auth() -> None:
    text = describe_auth(AuthSettings(enabled=True, hs256_secret="s", issuer="sw", leeway_seconds=5))
    assert "HS256" in text and "issuer=sw" in text and "RS256" not in text and "5s" in text


def test_enabled_without_keys_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="neither"):
        Authenticator(AuthSettings(enabled=True))


def test_public_key_from_file_and_bad_keys(tmp_path: Path, rsa_key: rsa.RSAPrivateKey) -> None:
    path = tmp_path / "key.pem"
    path.write_text(public_pem(rsa_key))
    assert load_public_key(str(path)).key_size == 2048
    with pytest.raises(ValueError, match="readable file"):
        load_public_key(str(tmp_path / "missing.pem"))
    with pytest.raises(ValueError, match="valid PEM"):
        load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_principal_repr_hides_token() -> None:
    assert "secret-token" not in repr(Principal("u", frozenset(), frozenset(), "secret-token"))


def test_outgoing_metadata_carries_the_jwt() -> None:
    assert outgoing_metadata(Principal("u", frozenset(), ALL_TENANTS, "tok")) == (("jwt", "tok"),)
    assert outgoing_metadata(Principal("u", frozenset(), ALL_TENANTS, "")) == ()
    assert outgoing_metadata() == ()


def test_max_token_lifetime_refuses_far_future_expiry() -> None:
    """Issue 12, item 15: with a maximum lifetime, exp=1e300 (or a year ahead) is refused."""
    bounded = Authenticator(
        AuthSettings(enabled=True, hs256_secret=SECRET, leeway_seconds=30, max_lifetime_seconds=3600)
    )
    for exp in (1e300, time.time() + 365 * 86400, time.time() + 3600 + 120):
        with pytest.raises(AuthError, match="more than 3600 seconds"):
            bounded.verify(make_token(exp=exp))
    assert bounded.verify(make_token(exp=int(time.time()) + 3000)).username == "alice"
    # Without the setting any expiry is accepted, as before.
    unbounded = Authenticator(AuthSettings(enabled=True, hs256_secret=SECRET))
    assert unbounded.verify(make_token(exp=1e300)).username == "alice"
    assert "max lifetime=3600s" in describe_auth(bounded.settings)


def test_max_token_lifetime_setting_reaches_the_authenticator() -> None:
    from batchops.config import load_settings

    settings = load_settings(auth_jwt_secret=SECRET, auth_jwt_max_lifetime_seconds=600)
    # The service hands the auth group itself to the authenticator.
    assert Authenticator(settings.auth).settings.max_lifetime_seconds == 600
