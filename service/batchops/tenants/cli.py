"""``batchops tenants``: add, configure, remove and list tenants in ZooKeeper.

Exit codes: 0 done, 1 ZooKeeper unreachable or the tenant's state forbids it, 2 invalid input.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from kazoo.exceptions import NoAuthError

from batchops.config.tenant import TenantConfiguration
from batchops.messaging.topics import ELEMENTS_LABEL, OPERATIONS_LABEL
from batchops.tenants.admin import (
    ConfigDocument,
    InvalidTenantInput,
    TenantAdminError,
    TenantInfo,
    add_tenant,
    add_tenant_if_absent,
    configure_tenant,
    connect,
    document_from_file,
    document_from_options,
    get_tenant,
    list_tenants,
    remove_tenant,
)
from batchops.tenants.lag import tenant_consumers, tenant_lags
from batchops.tenants.layout import ZkLayout
from batchops.tenants.zk_auth import ZkCredentials, credentials_from_env

tenants_app = typer.Typer(no_args_is_help=True, help="Tenants in ZooKeeper (SiteWhere 2.x layout).")

T = TypeVar("T")

ZkOption = Annotated[
    str, typer.Option("--zk", envvar="BATCHOPS_ZOOKEEPER_HOSTS", help="ZooKeeper connect string.")
]
InstanceOption = Annotated[
    str, typer.Option("--instance-id", envvar="BATCHOPS_INSTANCE_ID", help="SiteWhere instance id (ZK root).")
]
KafkaOption = Annotated[
    str,
    typer.Option(
        "--kafka", envvar="BATCHOPS_KAFKA_BOOTSTRAP_SERVERS", help="Kafka bootstrap servers (for --lag)."
    ),
]
ProductOption = Annotated[
    str,
    typer.Option("--product-id", envvar="BATCHOPS_PRODUCT_ID", help="Product id of topic names (for --lag)."),
]
TimeoutOption = Annotated[
    float, typer.Option("--zk-timeout", min=0.1, help="Seconds to wait for ZooKeeper before giving up.")
]
TenantArgument = Annotated[str, typer.Argument(help="Tenant id (SiteWhere: the tenant UUID).")]
ConfigFileOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        exists=True,
        dir_okay=False,
        readable=True,
        help="Configuration file: our JSON, or SiteWhere's batch-operations.xml (written as given).",
    ),
]
ThrottleOption = Annotated[
    int | None, typer.Option("--throttle-delay-ms", help="Pause before each element (SiteWhere's).")
]
RateOption = Annotated[
    float | None, typer.Option("--rate-limit-per-second", help="Elements/s; 0 = unlimited.")
]
PartitionsOption = Annotated[int | None, typer.Option("--topic-partitions", help="Partitions of new topics.")]
ReplicationOption = Annotated[
    int | None, typer.Option("--topic-replication", help="Replication of new topics.")
]
ConcurrencyOption = Annotated[
    int | None, typer.Option("--processing-concurrency", help="Handler calls in flight.")
]
BatchSizeOption = Annotated[
    int | None, typer.Option("--consumer-batch-size", help="Records per consumer poll.")
]
LeaseOption = Annotated[int | None, typer.Option("--lease-seconds", help="Processing lease before reclaim.")]
AttemptsOption = Annotated[int | None, typer.Option("--max-attempts", help="Handler attempts per element.")]
IfNotExistsOption = Annotated[
    bool,
    typer.Option(
        "--if-not-exists",
        help="Succeed (exit 0) without changing anything when the tenant already exists.",
    ),
]


def _run(action: Callable[[], T]) -> T:
    logging.getLogger("kazoo").setLevel(logging.ERROR)  # its reconnect chatter is not for operators
    try:
        return action()
    except TenantAdminError as exc:
        typer.echo(f"batchops: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except NoAuthError:
        typer.echo(
            "batchops: ZooKeeper refused access to the tenant nodes: set BATCHOPS_ZOOKEEPER_AUTH_USERNAME "
            "and BATCHOPS_ZOOKEEPER_AUTH_PASSWORD to the credentials they were written with",
            err=True,
        )
        raise typer.Exit(1) from None


def _document(
    config_file: Path | None,
    options: dict[str, Any],
    base: Callable[[], TenantConfiguration | None] | None = None,
) -> ConfigDocument:
    given = {name: value for name, value in options.items() if value is not None}
    if config_file is not None:
        if given:
            raise InvalidTenantInput("use either --config or the individual settings, not both")
        return document_from_file(config_file.read_bytes())
    return document_from_options(given, base() if base is not None else None)


@tenants_app.command("add")
def add(
    tenant_id: TenantArgument,
    config_file: ConfigFileOption = None,
    throttle_delay_ms: ThrottleOption = None,
    rate_limit_per_second: RateOption = None,
    topic_partitions: PartitionsOption = None,
    topic_replication: ReplicationOption = None,
    processing_concurrency: ConcurrencyOption = None,
    consumer_batch_size: BatchSizeOption = None,
    lease_seconds: LeaseOption = None,
    max_attempts: AttemptsOption = None,
    if_not_exists: IfNotExistsOption = False,
    zk: ZkOption = "127.0.0.1:2181",
    instance_id: InstanceOption = "sitewhere1",
    zk_timeout: TimeoutOption = 10.0,
) -> None:
    """Add a tenant: its folder, configuration node, then its `configured` marker."""
    options = _settings(locals())

    def action() -> str | None:
        # Input is validated before ZooKeeper is asked, so a bad option fails even for an existing tenant.
        document = _document(config_file, options)
        layout = _layout(instance_id)
        with connect(zk, zk_timeout, _credentials()) as client:
            if not if_not_exists:
                add_tenant(client, layout, tenant_id, document)
            elif not add_tenant_if_absent(client, layout, tenant_id, document):
                return None
        return document.node

    node = _run(action)
    if node is None:
        typer.echo(f"tenant {tenant_id} already exists (left unchanged)")
        return
    typer.echo(f"tenant {tenant_id} added ({node})")


@tenants_app.command("configure")
def configure(
    tenant_id: TenantArgument,
    config_file: ConfigFileOption = None,
    throttle_delay_ms: ThrottleOption = None,
    rate_limit_per_second: RateOption = None,
    topic_partitions: PartitionsOption = None,
    topic_replication: ReplicationOption = None,
    processing_concurrency: ConcurrencyOption = None,
    consumer_batch_size: BatchSizeOption = None,
    lease_seconds: LeaseOption = None,
    max_attempts: AttemptsOption = None,
    zk: ZkOption = "127.0.0.1:2181",
    instance_id: InstanceOption = "sitewhere1",
    zk_timeout: TimeoutOption = 10.0,
) -> None:
    """Change a tenant's configuration; settings not given keep their current values."""
    options = _settings(locals())

    def action() -> str:
        layout = _layout(instance_id)
        with connect(zk, zk_timeout, _credentials()) as client:

            def current() -> TenantConfiguration | None:
                return get_tenant(client, layout, tenant_id).config  # None (defaults) if invalid now

            if config_file is None and all(value is None for value in options.values()):
                raise InvalidTenantInput("nothing to change: give --config or at least one setting")
            document = _document(config_file, options, current)
            configure_tenant(client, layout, tenant_id, document)
        return document.node

    node = _run(action)
    typer.echo(f"tenant {tenant_id} configured ({node})")


@tenants_app.command("remove")
def remove(
    tenant_id: TenantArgument,
    zk: ZkOption = "127.0.0.1:2181",
    instance_id: InstanceOption = "sitewhere1",
    zk_timeout: TimeoutOption = 10.0,
) -> None:
    """Remove a tenant: every instance stops its engine. Its stored batch data is kept."""

    def action() -> None:
        layout = _layout(instance_id)
        with connect(zk, zk_timeout, _credentials()) as client:
            remove_tenant(client, layout, tenant_id)

    _run(action)
    typer.echo(f"tenant {tenant_id} removed")


@tenants_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, configurations included.")] = False,
    zk: ZkOption = "127.0.0.1:2181",
    instance_id: InstanceOption = "sitewhere1",
    zk_timeout: TimeoutOption = 10.0,
    lag: Annotated[
        bool,
        typer.Option(
            "--lag",
            help="Also show, from Kafka, each tenant's consumer lag (records not processed yet) and "
            "how many consumers each of its groups has (0: nobody is consuming).",
        ),
    ] = False,
    kafka: KafkaOption = "127.0.0.1:9092",
    product_id: ProductOption = "sitewhere",
) -> None:
    """List tenants with their configuration source and main settings (and, with --lag, consumer lag)."""

    def action() -> list[TenantInfo]:
        layout = _layout(instance_id)
        with connect(zk, zk_timeout, _credentials()) as client:
            return list_tenants(client, layout)

    tenants = _run(action)
    ids = [t.tenant_id for t in tenants]
    lags = tenant_lags(kafka, product_id, instance_id, ids) if lag else {}
    members = tenant_consumers(kafka, product_id, instance_id, ids) if lag else {}
    if as_json:
        rows = [tenant.to_json() for tenant in tenants]
        if lag:
            for row in rows:
                row["consumerLag"] = lags.get(row["tenantId"])
                row["consumers"] = members.get(row["tenantId"])
        typer.echo(json.dumps(rows, indent=2))
        return
    if not tenants:
        typer.echo("no tenants")
        return
    lag_header = f" {'OPS_LAG':>8} {'ELEM_LAG':>9} {'CONSUMERS':>9}" if lag else ""
    header = f"{'TENANT':<48} {'CONFIGURED':<10} {'SOURCE':<22} {'THROTTLE_MS':>11} {'RATE/S':>8}"
    typer.echo(f"{header}{lag_header}  ERROR")
    for tenant in tenants:
        config = tenant.config
        throttle = str(config.throttle_delay_ms) if config else "-"
        rate = f"{config.rate_limit_per_second:g}" if config else "-"
        lag_cells = ""
        if lag:
            topics = lags.get(tenant.tenant_id) or {}
            groups = members.get(tenant.tenant_id) or {}
            consumers = f"{groups.get(OPERATIONS_LABEL, '-')}/{groups.get(ELEMENTS_LABEL, '-')}"
            ops_lag, elem_lag = topics.get(OPERATIONS_LABEL, "-"), topics.get(ELEMENTS_LABEL, "-")
            lag_cells = f" {ops_lag!s:>8} {elem_lag!s:>9} {consumers:>9}"
        typer.echo(
            f"{tenant.tenant_id:<48} {'yes' if tenant.configured else 'no':<10} {tenant.source:<22} "
            f"{throttle:>11} {rate:>8}{lag_cells}  {tenant.error or ''}"
        )


_SETTINGS = (
    "throttle_delay_ms",
    "rate_limit_per_second",
    "topic_partitions",
    "topic_replication",
    "processing_concurrency",
    "consumer_batch_size",
    "lease_seconds",
    "max_attempts",
)


def _settings(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: arguments[name] for name in _SETTINGS}


def _credentials() -> ZkCredentials | None:
    """From BATCHOPS_ZOOKEEPER_AUTH_USERNAME/_PASSWORD, as the service reads them (never a flag:
    a password on the command line is visible to every user of the machine)."""
    try:
        return credentials_from_env()
    except ValueError as exc:
        raise InvalidTenantInput(str(exc)) from None


def _layout(instance_id: str) -> ZkLayout:
    try:
        return ZkLayout(instance_id)
    except ValueError as exc:
        raise InvalidTenantInput(str(exc)) from None
