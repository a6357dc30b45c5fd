"""gRPC metadata header names, as SiteWhere 2.x sends and reads them (one place for all of them:
the API, the outgoing clients, the operator CLI, the bench and the fleet simulator)."""

from __future__ import annotations

from typing import Final

TENANT_HEADER: Final = "tenant"  # tenant id (SiteWhere: the tenant token)
JWT_HEADER: Final = "jwt"  # SiteWhere's bearer token header
AUTHORIZATION_HEADER: Final = "authorization"  # standard "Bearer <token>", accepted as well


def call_metadata(tenant: str, jwt: str | None = None) -> tuple[tuple[str, str], ...]:
    """The metadata of a call made for ``tenant``, with its token when there is one."""
    return ((TENANT_HEADER, tenant), (JWT_HEADER, jwt)) if jwt else ((TENANT_HEADER, tenant),)
