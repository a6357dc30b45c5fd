"""Tenant administration in ZooKeeper: the same nodes SiteWhere's instance management writes.

A tenant is added in one transaction (folder, configuration node, then the ``configured`` marker), so
a watcher never sees a half-written tenant. ``tenants-bootstrapped`` is created if missing, as
instance management does once its tenants are in place.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kazoo.client import KazooClient
from kazoo.exceptions import KazooException, NodeExistsError, NoNodeError
from kazoo.handlers.threading import KazooTimeoutError

from batchops.config.tenant import (
    TenantConfiguration,
    TenantConfigurationError,
    from_mapping,
    parse_json,
    parse_sitewhere_xml,
    render_json,
)
from batchops.domain.errors import DomainError
from batchops.domain.validation import check_tenant_id
from batchops.errors import BatchopsError, ErrorKind
from batchops.tenants.layout import JSON_CONFIG_NODE, SITEWHERE_CONFIG_NODE, ZkLayout
from batchops.tenants.nodes import read_tenant_nodes
from batchops.tenants.zk_auth import ZkCredentials, client_options


class TenantAdminError(BatchopsError):
    """An administration request that cannot be done; ``exit_code`` 1 = state/connectivity, 2 = input."""

    kind = ErrorKind.UNAVAILABLE  # raised as is when ZooKeeper cannot be reached
    exit_code = 1


class InvalidTenantInput(TenantAdminError):
    kind = ErrorKind.INVALID_INPUT
    exit_code = 2


class TenantExistsError(TenantAdminError):
    kind = ErrorKind.ALREADY_EXISTS


class TenantNotFoundError(TenantAdminError):
    kind = ErrorKind.NOT_FOUND


@dataclass(frozen=True)
class ConfigDocument:
    """A validated configuration ready to be written to its node."""

    node: str
    data: bytes
    config: TenantConfiguration


@dataclass(frozen=True)
class TenantInfo:
    tenant_id: str
    configured: bool
    source: str
    config: TenantConfiguration | None
    error: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "tenantId": self.tenant_id,
            "configured": self.configured,
            "source": self.source,
            "configuration": self.config.model_dump(mode="json", by_alias=True) if self.config else None,
            "error": self.error,
        }


def json_document(config: TenantConfiguration) -> ConfigDocument:
    return ConfigDocument(JSON_CONFIG_NODE, render_json(config), config)


def document_from_options(
    options: Mapping[str, Any], base: TenantConfiguration | None = None
) -> ConfigDocument:
    """``base`` (or the defaults) with ``options`` (snake_case field names) applied, as our JSON node."""
    values = base.model_dump(exclude_unset=True) if base is not None else {}
    values.update(options)
    try:
        return json_document(from_mapping(values))
    except TenantConfigurationError as exc:
        raise InvalidTenantInput(str(exc)) from None


def document_from_file(data: bytes) -> ConfigDocument:
    """A configuration file as given: SiteWhere XML (goes to the .xml node) or our JSON (the .json node)."""
    try:
        if data.lstrip()[:1] == b"<":
            return ConfigDocument(SITEWHERE_CONFIG_NODE, data, parse_sitewhere_xml(data))
        return ConfigDocument(JSON_CONFIG_NODE, data, parse_json(data))
    except TenantConfigurationError as exc:
        raise InvalidTenantInput(str(exc)) from None


@contextlib.contextmanager
def connect(
    zk_hosts: str, timeout: float = 10.0, credentials: ZkCredentials | None = None
) -> Iterator[KazooClient]:
    """A started client; with ``credentials`` it authenticates and creates nodes with their ACL."""
    client = KazooClient(
        hosts=zk_hosts,
        timeout=timeout,
        connection_retry={"max_tries": 2, "max_delay": 1.0},
        **client_options(credentials),
    )
    try:
        client.start(timeout=timeout)
    except (KazooTimeoutError, KazooException, ValueError) as exc:
        client.close()
        raise TenantAdminError(f"cannot reach ZooKeeper at {zk_hosts}: {exc or type(exc).__name__}") from None
    try:
        yield client
    finally:
        client.stop()
        client.close()


def _tenant(tenant_id: str) -> str:
    try:
        return check_tenant_id(tenant_id)
    except DomainError as exc:
        raise InvalidTenantInput(str(exc)) from None


def add_tenant(client: KazooClient, layout: ZkLayout, tenant_id: str, document: ConfigDocument) -> None:
    folder = layout.tenant_conf(_tenant(tenant_id))
    client.ensure_path(layout.tenants_conf)
    transaction = client.transaction()
    transaction.create(folder)
    transaction.create(f"{folder}/{document.node}", document.data)
    transaction.create(layout.configured_marker(tenant_id))  # last: the tenant is complete
    results = transaction.commit()
    if any(isinstance(result, NodeExistsError) for result in results):
        raise TenantExistsError(f"tenant {tenant_id!r} already exists (use `configure` to change it)")
    _raise_first_failure(results)
    client.ensure_path(layout.bootstrapped_marker)


def add_tenant_if_absent(
    client: KazooClient, layout: ZkLayout, tenant_id: str, document: ConfigDocument
) -> bool:
    """``add_tenant`` for idempotent bootstrap jobs: False (and nothing changed) if the tenant exists."""
    try:
        add_tenant(client, layout, tenant_id, document)
    except TenantExistsError:
        return False
    return True


def configure_tenant(client: KazooClient, layout: ZkLayout, tenant_id: str, document: ConfigDocument) -> None:
    """Write the tenant's configuration node (a restart follows in every instance).

    Writing SiteWhere XML also deletes our JSON node, which would otherwise keep winning. A tenant
    without its ``configured`` marker gets one, completing a half-written tenant.
    """
    _tenant(tenant_id)
    if client.exists(layout.tenant_conf(tenant_id)) is None:
        raise TenantNotFoundError(f"tenant {tenant_id!r} not found")
    path = f"{layout.tenant_conf(tenant_id)}/{document.node}"
    transaction = client.transaction()
    if client.exists(path) is None:
        transaction.create(path, document.data)
    else:
        transaction.set_data(path, document.data)
    if document.node == SITEWHERE_CONFIG_NODE and client.exists(layout.json_config(tenant_id)) is not None:
        transaction.delete(layout.json_config(tenant_id))
    if client.exists(layout.configured_marker(tenant_id)) is None:
        transaction.create(layout.configured_marker(tenant_id))
    results = transaction.commit()
    if any(isinstance(result, NoNodeError | NodeExistsError) for result in results):
        raise TenantAdminError(f"tenant {tenant_id!r} changed while being configured; try again")
    _raise_first_failure(results)


def remove_tenant(client: KazooClient, layout: ZkLayout, tenant_id: str) -> None:
    """Delete the tenant's configuration folder (marker first, so engines stop) and our state folder."""
    _tenant(tenant_id)
    folder = layout.tenant_conf(tenant_id)
    if client.exists(folder) is None:
        raise TenantNotFoundError(f"tenant {tenant_id!r} not found")
    with contextlib.suppress(NoNodeError):
        client.delete(layout.configured_marker(tenant_id))
    with contextlib.suppress(NoNodeError):
        client.delete(folder, recursive=True)
    with contextlib.suppress(NoNodeError):
        client.delete(layout.tenant_state(tenant_id), recursive=True)


def get_tenant(client: KazooClient, layout: ZkLayout, tenant_id: str) -> TenantInfo:
    nodes = read_tenant_nodes(client, layout, _tenant(tenant_id))
    if not nodes.exists:
        raise TenantNotFoundError(f"tenant {tenant_id!r} not found")
    source = nodes.source()
    try:
        return TenantInfo(tenant_id, nodes.configured, source.node, source.parse(), None)
    except TenantConfigurationError as exc:
        return TenantInfo(tenant_id, nodes.configured, source.node, None, str(exc))


def list_tenants(client: KazooClient, layout: ZkLayout) -> list[TenantInfo]:
    try:
        names = sorted(client.get_children(layout.tenants_conf))
    except NoNodeError:
        return []
    tenants = []
    for name in names:
        try:
            tenants.append(get_tenant(client, layout, name))
        except (InvalidTenantInput, TenantNotFoundError):
            continue  # not one of ours, or removed meanwhile
    return tenants


def _raise_first_failure(results: list[Any]) -> None:
    for result in results:
        if isinstance(result, Exception):
            raise TenantAdminError(f"ZooKeeper refused the change: {type(result).__name__}")
