"""``batchops ops``: operator commands against a running service's gRPC API.

Exit codes: 0 success; 1 the operation finished with errors, or the server refused or failed the
request; 2 usage, connection or credential errors; 3 the operation (or what it names) was not found.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from batchops.domain import BatchOperationStatus, ElementProcessingStatus
from batchops.ops.client import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Connection,
    OpsClient,
    OpsError,
)
from batchops.ops.targets import TargetKind, Targets, criteria_request
from batchops.ops.views import (
    element_dict,
    elements_table,
    final_summary,
    finished_count,
    operation_dict,
    operation_panel,
    operation_status,
    operations_table,
)
from batchops.ops.watch import watch_operation

ops_app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Operator commands against a running batchops (or SiteWhere) gRPC API.",
)

AddressOption = Annotated[
    str, typer.Option("--address", envvar="BATCHOPS_ADDRESS", help="gRPC API host:port.")
]
TenantOption = Annotated[str, typer.Option("--tenant", envvar="BATCHOPS_TENANT", help="Tenant id.")]
JwtOption = Annotated[
    str | None, typer.Option("--jwt", envvar="BATCHOPS_JWT", help="JWT sent in the 'jwt' header.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds allowed per request.")]
ReferenceArgument = Annotated[
    str, typer.Argument(metavar="TOKEN_OR_ID", help="Operation token, or id (UUID).", show_default=False)
]
PageOption = Annotated[int, typer.Option("--page", min=1, help="Page number (1-based).")]
PageSizeOption = Annotated[int, typer.Option("--page-size", min=1, help="Items per page.")]

DEFAULT_ADDRESS = "127.0.0.1:9000"
DEFAULT_TENANT = "default"
DEFAULT_TIMEOUT = 10.0

P = ParamSpec("P")
R = TypeVar("R")


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print failures as one line on stderr (status code and details, no traceback) and exit."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except OpsError as error:
            _stderr().print(f"batchops ops: {error.message}", markup=False)
            raise typer.Exit(error.exit_code) from None

    return wrapper


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, sort_keys=True))


def _connect(address: str, tenant: str, jwt: str | None, timeout: float) -> OpsClient:
    return OpsClient(Connection(address=address, tenant=tenant, jwt=jwt or None, timeout=timeout))


@ops_app.command("list")
@reports_errors
def list_operations(
    status: Annotated[
        list[BatchOperationStatus] | None,
        typer.Option("--status", case_sensitive=False, help="Only operations in this status (repeatable)."),
    ] = None,
    page: PageOption = 1,
    page_size: PageSizeOption = 100,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """List batch operations, newest first."""
    with _connect(address, tenant, jwt, timeout) as client:
        results = client.list_operations(page, page_size, status or ())
    if as_json:
        emit_json(
            {
                "count": results.count,
                "page": page,
                "pageSize": page_size,
                "operations": [operation_dict(op) for op in results.batchOperations],
            }
        )
    else:
        Console().print(operations_table(results, page))


@ops_app.command("show")
@reports_errors
def show(
    reference: ReferenceArgument,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Show one batch operation."""
    with _connect(address, tenant, jwt, timeout) as client:
        operation = client.resolve(reference)
    if as_json:
        emit_json(operation_dict(operation))
    else:
        Console().print(operation_panel(operation))


@ops_app.command("elements")
@reports_errors
def elements(
    reference: ReferenceArgument,
    status: Annotated[
        ElementProcessingStatus | None,
        typer.Option("--status", case_sensitive=False, help="Only elements in this status."),
    ] = None,
    page: PageOption = 1,
    page_size: PageSizeOption = 100,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """List the elements (one per device) of a batch operation."""
    with _connect(address, tenant, jwt, timeout) as client:
        operation = client.resolve(reference)
        results = client.list_elements(operation.id, status, page, page_size)
    if as_json:
        emit_json(
            {
                "count": results.count,
                "page": page,
                "pageSize": page_size,
                "elements": [element_dict(element) for element in results.batchElements],
            }
        )
    else:
        Console().print(elements_table(results, page))


def read_devices_file(path: Path) -> list[str]:
    """One device token per line; blank lines and ``#`` comments ignored; ``-`` reads stdin."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text()
    except OSError as error:
        raise OpsError(f"cannot read devices file: {error}", EXIT_USAGE) from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise OpsError(f"--param expects name=value, got {pair!r}", EXIT_USAGE)
        params[name.strip()] = value
    return params


RepeatedOption = list[str] | None
# The options of `ops invoke`, one alias each so that its signature stays readable.
CommandOption = Annotated[str, typer.Option("--command", help="Command token to invoke.", show_default=False)]
DeviceOption = Annotated[RepeatedOption, typer.Option("--device", help="Device token (repeatable).")]
DevicesFileOption = Annotated[
    Path | None, typer.Option("--devices-file", help="File of device tokens, one per line ('-': stdin).")
]
DeviceTypeOption = Annotated[
    RepeatedOption,
    typer.Option(
        "--device-type", help="Every device of this type (repeatable with --customer/--area/--asset)."
    ),
]
GroupOption = Annotated[str | None, typer.Option("--group", help="The devices of this device group.")]
RoleOption = Annotated[
    RepeatedOption, typer.Option("--role", help="With --group: only members with this role (repeatable).")
]
CustomerOption = Annotated[
    RepeatedOption,
    typer.Option("--customer", help="Devices actively assigned to this customer (repeatable)."),
]
AreaOption = Annotated[
    RepeatedOption, typer.Option("--area", help="Devices actively assigned in this area (repeatable).")
]
AssetOption = Annotated[
    RepeatedOption, typer.Option("--asset", help="Devices actively assigned to this asset (repeatable).")
]
ParamOption = Annotated[
    RepeatedOption, typer.Option("--param", help="Command parameter name=value (repeatable).")
]
OperationTokenOption = Annotated[
    str | None, typer.Option("--token", help="Operation token (default: a UUID).")
]
WatchFlag = Annotated[bool, typer.Option("--watch", help="Then follow it until it finishes.")]
IntervalOption = Annotated[float, typer.Option("--interval", min=0.05, help="Seconds between polls.")]
ResolveTimeoutOption = Annotated[
    float,
    typer.Option("--resolve-timeout", min=1.0, help="Seconds the service may take to resolve criteria."),
]


@ops_app.command("invoke")
@reports_errors
def invoke(
    command: CommandOption,
    device: DeviceOption = None,
    devices_file: DevicesFileOption = None,
    device_type: DeviceTypeOption = None,
    group: GroupOption = None,
    role: RoleOption = None,
    customer: CustomerOption = None,
    area: AreaOption = None,
    asset: AssetOption = None,
    param: ParamOption = None,
    token: OperationTokenOption = None,
    watch: WatchFlag = False,
    interval: IntervalOption = 1.0,
    resolve_timeout: ResolveTimeoutOption = 300.0,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Invoke a command (a BatchCommandInvocation operation) on a list of devices, or on the devices
    matching criteria the service resolves: a device type, a group (with roles), or assignment
    criteria (customers, areas, assets, device types)."""
    targets = Targets(
        devices=list(device or []) + (read_devices_file(devices_file) if devices_file else []),
        device_types=list(device_type or []),
        group=group,
        roles=list(role or []),
        customers=list(customer or []),
        areas=list(area or []),
        assets=list(asset or []),
    )
    kind = targets.kind  # usage errors before connecting
    parameters = parse_params(param or [])
    with _connect(address, tenant, jwt, timeout) as client:
        if kind is TargetKind.DEVICES:
            operation = client.invoke(command, targets.devices, parameters, token)
        else:
            rpc, request = criteria_request(targets, command, parameters, token)
            operation = client.invoke_by_criteria(rpc, request, resolve_timeout)
        _show_created(client, operation, watch, interval, as_json)


def _show_created(client: OpsClient, operation: Any, watch: bool, interval: float, as_json: bool) -> None:
    if not watch:
        if as_json:
            emit_json(operation_dict(operation))
        else:
            Console().print(operation_panel(operation))
        return
    if not as_json:
        Console().print(
            f"created [bold]{operation.token}[/] ({operation.deviceTokenCount} devices: "
            f"{operation.targetingSummary}); watching (Ctrl-C stops watching only)",
            highlight=False,
        )
    _follow(client, operation, interval, as_json)


@ops_app.command("watch")
@reports_errors
def watch(
    reference: ReferenceArgument,
    interval: Annotated[float, typer.Option("--interval", min=0.05, help="Seconds between polls.")] = 1.0,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Follow an operation until it finishes or is canceled (a paused one is shown paused and still
    followed): exit 0 if FinishedSuccessfully, 1 if FinishedWithErrors or Canceled."""
    with _connect(address, tenant, jwt, timeout) as client:
        _follow(client, client.resolve(reference), interval, as_json)


def _follow(client: OpsClient, operation: Any, interval: float, as_json: bool) -> None:
    console = None if as_json else Console()
    final = watch_operation(client, operation, interval=interval, console=console)
    status = operation_status(final)
    if as_json:
        emit_json(operation_dict(final))
    else:
        Console().print(final_summary(final) + _overall_rate(final))
    raise typer.Exit(EXIT_OK if status == BatchOperationStatus.FINISHED_SUCCESSFULLY.value else EXIT_FAILED)


def _overall_rate(operation: Any) -> str:
    started, ended = operation.processingStartedDate, operation.processingEndedDate
    if not started or ended <= started:
        return ""
    seconds = (ended - started) / 1000
    done = finished_count(operation)
    return f" in {seconds:.1f}s ({done / seconds:.1f} elements/s)"


@ops_app.command("delete")
@reports_errors
def delete(
    reference: ReferenceArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Delete a batch operation and its elements."""
    with _connect(address, tenant, jwt, timeout) as client:
        operation = client.resolve(reference)
        if not yes and not typer.confirm(
            f"Delete batch operation {operation.token} ({operation_status(operation)})?", err=True
        ):
            raise OpsError("not deleted", EXIT_FAILED)
        deleted = client.delete(operation.id)
    if as_json:
        emit_json(operation_dict(deleted))
    else:
        Console().print(f"deleted {deleted.token}")


# The operator-control commands register themselves on ``ops_app`` (kept apart for size).
from batchops.ops import control_commands as _control_commands  # noqa: E402, F401
