"""How gRPC callers are authenticated (JWT), and whether an unauthenticated API may listen
beyond loopback."""

from __future__ import annotations

from pydantic import Field, SecretStr

from batchops.config.base import SettingsGroup


class AuthSettings(SettingsGroup):
    """Authentication is on unless switched off explicitly: settings built without the process's
    configuration fail closed (an Authenticator without a key refuses to start)."""

    enabled: bool = Field(
        default=True,
        validation_alias="auth_enabled",
        description="Require a valid JWT on every BatchManagement call.",
    )
    hs256_secret: SecretStr | None = Field(
        default=None,
        validation_alias="auth_jwt_secret",
        description="HS256 shared secret (as SiteWhere signs).",
    )
    rs256_public_key: str | None = Field(
        default=None,
        validation_alias="auth_jwt_public_key",
        description="RS256 public key: PEM text or a file path.",
    )
    issuer: str | None = Field(
        default=None, validation_alias="auth_jwt_issuer", description="If set, tokens must carry this 'iss'."
    )
    audience: str | None = Field(
        default=None,
        validation_alias="auth_jwt_audience",
        description="If set, tokens must carry this 'aud'.",
    )
    leeway_seconds: float = Field(
        default=30.0,
        ge=0,
        le=600,
        validation_alias="auth_jwt_leeway_seconds",
        description="Clock skew tolerated on exp/nbf.",
    )
    # A stolen token with a far-future expiry is otherwise a credential forever.
    max_lifetime_seconds: float | None = Field(
        default=None,
        gt=0,
        le=10 * 365 * 86400,
        validation_alias="auth_jwt_max_lifetime_seconds",
        description="If set, tokens whose 'exp' lies further ahead than this are refused.",
    )
    allow_unauthenticated_remote: bool = Field(
        default=False,
        description="Start with authentication off on a non-loopback BATCHOPS_GRPC_HOST (refused "
        "otherwise); only for a private network such as the compose stack.",
    )

    def hs256_key(self) -> str | None:
        """The HS256 secret in clear (for signing and verifying only; never log it)."""
        return self.hs256_secret.get_secret_value() if self.hs256_secret is not None else None
