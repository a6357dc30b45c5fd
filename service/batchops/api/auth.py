"""Authentication (JWT) and tenant authorization of gRPC calls.

Where the token comes from (first found wins):

- ``jwt`` metadata header: the raw JWT, as SiteWhere 2.x services send it;
- ``authorization: Bearer <jwt>``.

How it is verified: PyJWT with HS256 and a shared secret (what SiteWhere itself issues) and/or
RS256 and a PEM public key; the token's ``alg`` header picks the key, and only configured
algorithms are accepted (never ``none``). ``exp`` is required, ``exp``/``nbf``/``iat`` are checked
with a leeway, and ``iss``/``aud`` are checked when configured.

Claims:

============================== ==========================================================
claim                          meaning
============================== ==========================================================
``sub``                        username (required)
``exp``                        expiry (required: a token without one is a credential forever)
``auth``                       granted authorities, SiteWhere's claim (list of strings)
``authorities`` / ``roles``    also read as authorities (list, or comma-separated string)
``tenants``                    tenant ids the caller may use: a list of strings, or ``"*"``
                               (alone or as a list item) for every tenant
============================== ==========================================================

Tenant rule: a call naming tenant T (``tenant`` header) is allowed when the token's ``tenants``
claim contains T or ``"*"``, or when the caller holds a wildcard authority (``ADMINISTER_TENANTS``,
SiteWhere's global tenant administration, or ``ROLE_ADMIN``). A token with neither may use no
tenant: every call gets PERMISSION_DENIED. Missing, malformed, badly signed, expired or
not-yet-valid tokens get UNAUTHENTICATED.

With authentication disabled every call runs as a development principal with access to every
tenant (and any token sent is passed on unverified); the service warns about it at start-up.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from batchops.api.errors import status_code
from batchops.api.interceptors import Behaviour, Handler, header, wrap_handler
from batchops.config.auth import AuthSettings as AuthSettings  # re-exported: auth callers import it here
from batchops.errors import BatchopsError, ErrorKind
from batchops.protocol.headers import AUTHORIZATION_HEADER, JWT_HEADER, TENANT_HEADER

log = logging.getLogger(__name__)

BATCH_MANAGEMENT_SERVICE: Final = "com.sitewhere.grpc.service.BatchManagement"
WILDCARD_TENANT: Final = "*"
WILDCARD_AUTHORITIES: Final = frozenset({"ADMINISTER_TENANTS", "ROLE_ADMIN"})
AUTHORITY_CLAIMS: Final = ("auth", "authorities", "roles")
DEV_USERNAME: Final = "development"

MISSING_TOKEN_MESSAGE: Final = "JWT not passed in metadata."


class AllTenants:
    """The tenant set of a principal that may use every tenant."""

    _instance: AllTenants | None = None

    def __new__(cls) -> AllTenants:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __contains__(self, tenant_id: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ALL_TENANTS"


ALL_TENANTS: Final = AllTenants()
Tenants = frozenset[str] | AllTenants


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``token`` is the raw JWT, kept to forward on outgoing calls."""

    username: str
    authorities: frozenset[str]
    tenants: Tenants
    token: str = field(default="", repr=False)

    def may_access(self, tenant_id: str) -> bool:
        return tenant_id in self.tenants


class AuthError(BatchopsError):
    """The call is refused: no valid credentials (``PermissionDenied``: valid, but not allowed)."""

    kind = ErrorKind.UNAUTHENTICATED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(AuthError):
    kind = ErrorKind.PERMISSION_DENIED


def load_public_key(value: str) -> RSAPublicKey:
    """Parse an RSA public key from PEM text or a PEM file path; ValueError says what is wrong."""
    text = value.strip()
    if not text.startswith("-----BEGIN"):
        try:
            text = Path(text).read_text()
        except OSError as exc:
            raise ValueError(f"JWT public key is neither PEM text nor a readable file: {exc}") from None
    try:
        key = load_pem_public_key(text.encode())
    except ValueError as exc:
        raise ValueError(f"JWT public key is not a valid PEM public key: {exc}") from None
    if not isinstance(key, RSAPublicKey):
        raise ValueError("JWT public key must be an RSA key (RS256).")
    return key


def describe_auth(settings: AuthSettings) -> str:
    """One line for the start-up log; log it as a WARNING when authentication is disabled."""
    if not settings.enabled:
        return (
            "AUTHENTICATION DISABLED: every gRPC call runs as a development principal with access to "
            "ALL tenants. Never run like this outside development: set BATCHOPS_AUTH_ENABLED=true "
            "and BATCHOPS_AUTH_JWT_SECRET or BATCHOPS_AUTH_JWT_PUBLIC_KEY."
        )
    algorithms = [
        name for name, key in (("HS256", settings.hs256_key()), ("RS256", settings.rs256_public_key)) if key
    ]
    parts = [f"algorithms={','.join(algorithms) or 'none configured'}"]
    if settings.issuer:
        parts.append(f"issuer={settings.issuer}")
    if settings.audience:
        parts.append(f"audience={settings.audience}")
    parts.append(f"leeway={settings.leeway_seconds:g}s")
    if settings.max_lifetime_seconds is not None:
        parts.append(f"max lifetime={settings.max_lifetime_seconds:g}s")
    return "JWT authentication enabled (" + ", ".join(parts) + ")"


def _string_list(value: object, claim: str) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise AuthError(f"Invalid JWT: claim '{claim}' must be a list of strings.")


def principal_from_claims(claims: Mapping[str, Any], token: str) -> Principal:
    username = claims.get("sub")
    if not isinstance(username, str) or not username:
        raise AuthError("Invalid JWT: claim 'sub' (username) is missing.")
    authorities = frozenset(
        item for claim in AUTHORITY_CLAIMS if claim in claims for item in _string_list(claims[claim], claim)
    )
    tenant_ids = _string_list(claims["tenants"], "tenants") if "tenants" in claims else []
    tenants: Tenants = (
        ALL_TENANTS
        if WILDCARD_TENANT in tenant_ids or authorities & WILDCARD_AUTHORITIES
        else frozenset(tenant_ids)
    )
    return Principal(username=username, authorities=authorities, tenants=tenants, token=token)


def extract_token(metadata: Sequence[tuple[str, str | bytes]] | None) -> str | None:
    raw = header(metadata, JWT_HEADER)
    if raw and raw.strip():
        # Tolerate clients that put "Bearer <jwt>" in the jwt header too.
        return _strip_bearer(raw.strip())
    authorization = header(metadata, AUTHORIZATION_HEADER)
    if authorization:
        scheme, _, credentials = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return credentials.strip()
    return None


def _strip_bearer(value: str) -> str:
    scheme, _, rest = value.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" and rest.strip() else value


class Authenticator:
    """Turns call metadata into a Principal, and checks a principal against a tenant."""

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._keys: dict[str, Any] = {}
        secret = settings.hs256_key()
        if secret:
            self._keys["HS256"] = secret
        if settings.rs256_public_key:
            self._keys["RS256"] = load_public_key(settings.rs256_public_key)
        if settings.enabled and not self._keys:
            raise ValueError(
                "authentication is enabled (BATCHOPS_AUTH_ENABLED) but neither BATCHOPS_AUTH_JWT_SECRET "
                "nor BATCHOPS_AUTH_JWT_PUBLIC_KEY is set"
            )

    def verify(self, token: str) -> Principal:
        """Verify signature and time claims, then read the principal; AuthError if anything fails."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if not isinstance(algorithm, str) or algorithm not in self._keys:
                raise AuthError(f"Invalid JWT: algorithm {algorithm!r} is not accepted.")
            claims = jwt.decode(
                token,
                self._keys[algorithm],
                algorithms=[algorithm],
                issuer=self.settings.issuer,
                audience=self.settings.audience,
                leeway=self.settings.leeway_seconds,
                options={"require": ["exp", "sub"], "verify_aud": self.settings.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise AuthError("Invalid JWT: token has expired.") from None
        except jwt.ImmatureSignatureError:
            raise AuthError("Invalid JWT: token is not yet valid.") from None
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"Invalid JWT: {exc}") from None
        self._check_lifetime(claims)
        return principal_from_claims(claims, token)

    def _check_lifetime(self, claims: Mapping[str, Any]) -> None:
        limit = self.settings.max_lifetime_seconds
        if limit is None:
            return
        # PyJWT has checked that exp is a number and not in the past.
        if float(claims["exp"]) - time.time() > limit + self.settings.leeway_seconds:
            raise AuthError(f"Invalid JWT: expiry is more than {limit:g} seconds away.")

    def authenticate(self, metadata: Sequence[tuple[str, str | bytes]] | None) -> Principal:
        token = extract_token(metadata)
        if not self.settings.enabled:
            return Principal(DEV_USERNAME, frozenset(), ALL_TENANTS, token or "")
        if token is None:
            raise AuthError(MISSING_TOKEN_MESSAGE)
        return self.verify(token)

    @staticmethod
    def authorize(principal: Principal, tenant_id: str | None) -> None:
        """A missing tenant passes: the servicer answers that itself (as SiteWhere does)."""
        if tenant_id and not principal.may_access(tenant_id):
            raise PermissionDenied(f"User '{principal.username}' may not access tenant '{tenant_id}'.")


# ---- the principal of the current call ----------------------------------------------------------

_PRINCIPAL: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "batchops_principal", default=None
)


def current_principal() -> Principal | None:
    """The caller of the gRPC call being served on this thread (None outside an authenticated call)."""
    return _PRINCIPAL.get()


def outgoing_metadata(principal: Principal | None = None) -> tuple[tuple[str, str], ...]:
    """Metadata that carries the caller's JWT on calls we make to other SiteWhere services."""
    principal = principal if principal is not None else current_principal()
    return ((JWT_HEADER, principal.token),) if principal is not None and principal.token else ()


class AuthInterceptor(grpc.ServerInterceptor):
    """Authenticates every call of the protected services before its request is even decoded.

    The check runs in ``intercept_service``, from the call's headers alone: a refused call's body
    is discarded unread (its deserializer ignores the bytes), so an unauthenticated caller cannot
    make the server parse a large request. Verifying a JWT costs tens of microseconds, cheap
    enough for gRPC's polling thread, which decodes requests anyway. Rejections are
    UNAUTHENTICATED or PERMISSION_DENIED; other services (health, reflection) pass untouched.
    While the method runs, ``current_principal()`` returns the caller.
    """

    def __init__(
        self, authenticator: Authenticator, services: Iterable[str] = (BATCH_MANAGEMENT_SERVICE,)
    ) -> None:
        self._authenticator = authenticator
        self._prefixes = tuple(f"/{name}/" for name in services)

    def intercept_service(self, continuation: Any, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler: Handler | None = continuation(handler_call_details)
        if handler is None or not handler_call_details.method.startswith(self._prefixes):
            return handler
        metadata = handler_call_details.invocation_metadata
        try:
            principal = self._authenticator.authenticate(metadata)
            self._authenticator.authorize(principal, header(metadata, TENANT_HEADER))
        except AuthError as exc:
            log.info("call refused: %s", exc.message, extra={"code": status_code(exc).name})
            return _refusal(handler, exc)
        return wrap_handler(handler, lambda behaviour: _as_principal(principal, behaviour))


def _as_principal(principal: Principal, behaviour: Behaviour) -> Behaviour:
    def run(request: Any, context: grpc.ServicerContext) -> Any:
        reset = _PRINCIPAL.set(principal)
        try:
            return behaviour(request, context)
        finally:
            _PRINCIPAL.reset(reset)

    return run


def _discard(_data: bytes) -> object:
    return _DISCARDED  # not None: gRPC answers INTERNAL when a deserializer returns None


_DISCARDED: Final = object()


def _refusal(handler: Handler, error: AuthError) -> Handler:
    """A handler of the same kind that answers ``error`` without decoding the request."""

    def refuse(_request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(status_code(error), error.message)

    return wrap_handler(handler, lambda _behaviour: refuse, request_deserializer=_discard)
