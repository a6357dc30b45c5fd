"""ZooKeeper digest authentication and ACLs for the nodes batchops writes.

With credentials configured, every client batchops opens (the service's tenant manager, the
``tenants`` commands, dev mode) authenticates with them, and every node it creates carries one
ACL: all permissions for that digest identity and nothing for anyone else, so a client without
the credentials can neither read nor change a tenant's configuration. Nodes created by others
(SiteWhere's instance management) keep their own ACLs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kazoo.security import make_digest_acl

if TYPE_CHECKING:
    from batchops.config import ZookeeperSettings

USERNAME_VARIABLE = "BATCHOPS_ZOOKEEPER_AUTH_USERNAME"
PASSWORD_VARIABLE = "BATCHOPS_ZOOKEEPER_AUTH_PASSWORD"


@dataclass(frozen=True)
class ZkCredentials:
    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        if not self.username or ":" in self.username or not self.password:
            raise ValueError("ZooKeeper credentials need a username without ':' and a non-empty password")

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for ``KazooClient``: authenticate, and create nodes with our ACL."""
        return {
            "auth_data": [("digest", f"{self.username}:{self.password}")],
            "default_acl": [make_digest_acl(self.username, self.password, all=True)],
        }


def client_options(credentials: ZkCredentials | None) -> dict[str, Any]:
    return credentials.client_options() if credentials is not None else {}


def credentials_from_env(environ: Mapping[str, str] = os.environ) -> ZkCredentials | None:
    """The credentials the ``tenants`` commands use: the service's own variables."""
    username, password = environ.get(USERNAME_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if not username and not password:
        return None
    return ZkCredentials(username or "", password or "")


def credentials_from_settings(settings: ZookeeperSettings) -> ZkCredentials | None:
    password = settings.auth_password
    if not settings.auth_username or password is None:
        return None
    return ZkCredentials(settings.auth_username, password.get_secret_value())
