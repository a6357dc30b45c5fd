"""JWTs for the calls batchops makes on its own behalf while processing.

Elements are processed asynchronously, possibly long after the JWT of the caller who created the
operation has expired, so processing cannot forward that token. SiteWhere's answer is a "system"
superuser whose JWT its microservices mint for themselves with the shared HS256 secret; this does
the same: short-lived tokens (sub ``system``, SiteWhere's ``auth`` authorities, ``tenants``
[tenant]), cached per tenant and re-minted a margin before they expire.

Without a secret there is nothing to sign with (authentication off, or only an RS256 *public* key
configured): ``token`` returns None and outgoing calls carry no JWT.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import jwt

from batchops.api.auth import AuthSettings

SYSTEM_USERNAME: Final = "system"
# SiteWhere 2.x's SystemUser holds every non-group authority (SiteWhereRoles.AUTH_*).
SYSTEM_AUTHORITIES: Final = (
    "REST",
    "ADMIN_CONSOLE",
    "VIEW_SERVER_INFO",
    "ADMINISTER_USERS",
    "ADMINISTER_USER_SELF",
    "ADMINISTER_TENANTS",
    "ADMINISTER_TENANT_SELF",
    "ADMINISTER_SCHEDULES",
    "SCHEDULE_COMMANDS",
)


@dataclass(frozen=True)
class _Minted:
    token: str
    refresh_at: float


class SystemTokenIssuer:
    """Thread-safe; one instance per process. ``token(tenant_id)`` is cheap once cached."""

    def __init__(
        self,
        settings: AuthSettings,
        *,
        lifetime_seconds: float = 600.0,
        refresh_margin_seconds: float = 120.0,
        authorities: Sequence[str] = SYSTEM_AUTHORITIES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime_seconds <= 0 or not 0 <= refresh_margin_seconds < lifetime_seconds:
            raise ValueError("need lifetime > 0 and 0 <= refresh margin < lifetime")
        # Auth off means nobody checks tokens: send none rather than one signed with a stray secret.
        self._secret = settings.hs256_key() if settings.enabled else None
        self._issuer = settings.issuer
        self._audience = settings.audience
        self._lifetime = lifetime_seconds
        self._margin = refresh_margin_seconds
        self._authorities = list(authorities)
        self._clock = clock
        self._cache: dict[str, _Minted] = {}
        self._lock = threading.Lock()

    @property
    def can_sign(self) -> bool:
        return bool(self._secret)

    def token(self, tenant_id: str) -> str | None:
        """A valid system JWT for ``tenant_id``, or None when this process cannot sign."""
        if not self._secret:
            return None
        now = self._clock()
        with self._lock:
            minted = self._cache.get(tenant_id)
            if minted is None or now >= minted.refresh_at:
                minted = _Minted(self._mint(tenant_id, now), now + self._lifetime - self._margin)
                self._cache[tenant_id] = minted
            return minted.token

    def _mint(self, tenant_id: str, now: float) -> str:
        claims: dict[str, Any] = {
            "sub": SYSTEM_USERNAME,
            "auth": self._authorities,
            "tenants": [tenant_id],
            "iat": int(now),
            "exp": int(now + self._lifetime),
        }
        if self._issuer:
            claims["iss"] = self._issuer
        if self._audience:
            claims["aud"] = self._audience
        assert self._secret is not None
        return jwt.encode(claims, self._secret, algorithm="HS256")
