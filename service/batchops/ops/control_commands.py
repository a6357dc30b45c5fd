"""``batchops ops cancel | pause | resume | retry``: operator control of a running operation.

Each prints the operation as the call left it (or JSON with ``--json``). A call the operation's
status does not allow exits 1 with the server's reason (e.g. ``FAILED_PRECONDITION: ... is
already paused``); an unknown operation exits 3.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

from batchops.domain import ElementProcessingStatus
from batchops.ops.client import EXIT_FAILED, OpsError
from batchops.ops.commands import (
    DEFAULT_ADDRESS,
    DEFAULT_TENANT,
    DEFAULT_TIMEOUT,
    AddressOption,
    JsonOption,
    JwtOption,
    ReferenceArgument,
    TenantOption,
    TimeoutOption,
    _connect,
    emit_json,
    ops_app,
    reports_errors,
)
from batchops.ops.views import operation_dict, operation_panel, operation_status

ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why (kept with the operation, at most 1,000 characters).")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def _print(operation: Any, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        emit_json({**operation_dict(operation), **(extra or {})})
    else:
        Console().print(operation_panel(operation))


@ops_app.command("cancel")
@reports_errors
def cancel(
    reference: ReferenceArgument,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also abandon the elements inside a handler now (Canceled at once; their effects may "
            "still happen). Without it they finish and are recorded first.",
        ),
    ] = False,
    reason: ReasonOption = "",
    yes: YesOption = False,
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Cancel an operation for good: no element starts after this returns, and every element that
    never ran ends Canceled."""
    with _connect(address, tenant, jwt, timeout) as client:
        operation = client.resolve(reference)
        how = "force-cancel" if force else "cancel"
        if not yes and not typer.confirm(
            f"{how} batch operation {operation.token} ({operation_status(operation)}, "
            f"{operation.unprocessedCount + operation.processingCount} element(s) not done)?",
            err=True,
        ):
            raise OpsError("not canceled", EXIT_FAILED)
        _print(client.cancel(operation.id, force, reason), as_json)


@ops_app.command("pause")
@reports_errors
def pause(
    reference: ReferenceArgument,
    reason: ReasonOption = "",
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Pause an operation: fan-out and new element starts stop (the calls in flight finish); it
    stays paused, on every instance and across restarts, until resumed."""
    with _connect(address, tenant, jwt, timeout) as client:
        _print(client.pause(client.resolve(reference).id, reason), as_json)


@ops_app.command("resume")
@reports_errors
def resume(
    reference: ReferenceArgument,
    reason: ReasonOption = "",
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Resume a paused operation where it stopped."""
    with _connect(address, tenant, jwt, timeout) as client:
        _print(client.resume(client.resolve(reference).id, reason), as_json)


@ops_app.command("retry")
@reports_errors
def retry(
    reference: ReferenceArgument,
    status: Annotated[
        list[ElementProcessingStatus] | None,
        typer.Option(
            "--status",
            case_sensitive=False,
            help="Element status to retry: Failed (default) or Canceled (repeatable).",
        ),
    ] = None,
    error_contains: Annotated[
        str, typer.Option("--error-contains", help="Only elements whose error message contains this text.")
    ] = "",
    reason: ReasonOption = "",
    address: AddressOption = DEFAULT_ADDRESS,
    tenant: TenantOption = DEFAULT_TENANT,
    jwt: JwtOption = None,
    as_json: JsonOption = False,
    timeout: TimeoutOption = DEFAULT_TIMEOUT,
) -> None:
    """Run the failed (or canceled) elements of a finished or paused operation again, as a new
    round; succeeded elements are never touched."""
    with _connect(address, tenant, jwt, timeout) as client:
        operation = client.resolve(reference)
        response = client.retry(operation.id, list(status or []), error_contains, reason)
    if not as_json:
        Console().print(
            f"{response.elementsRetried} element(s) sent back for round {response.batchOperation.round}"
        )
    _print(response.batchOperation, as_json, {"elementsRetried": response.elementsRetried})
