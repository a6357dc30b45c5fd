"""The ``batchops`` command: serve the API, run local real servers, and operator tools."""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer._click import Command, Context  # typer's own click: its groups are typed with it
from typer.core import TyperGroup

from batchops.config import ConfigurationError, Settings, load_settings
from batchops.logs import configure_logging

# Sub-commands whose modules load only when called: `batchops serve` must not import the bench,
# the simulator or the operator tools it never runs (each pulls in a good part of the package).
LAZY_COMMANDS: dict[str, str] = {
    "bench": "batchops.bench.command:bench",
    "ops": "batchops.ops:ops_app",
    "simulate": "batchops.simulator.command:simulate",
    "tenants": "batchops.tenants.cli:tenants_app",
}


class LazyGroup(TyperGroup):
    """A command group that imports a sub-command's module only when that sub-command is used."""

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target.split(":")
        loaded = getattr(importlib.import_module(module), attribute)
        if isinstance(loaded, typer.Typer):
            command: Command = typer.main.get_group(loaded)
        else:
            single = typer.Typer()
            single.command(cmd_name)(loaded)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return command


app = typer.Typer(
    cls=LazyGroup, no_args_is_help=True, add_completion=False, help="Batch operations for IoT fleets."
)
dev_app = typer.Typer(no_args_is_help=True, help="Local real servers (Kafka protocol, MongoDB, ZooKeeper).")
app.add_typer(dev_app, name="dev")

log = logging.getLogger("batchops")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"batchops: {message}", err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigurationError as exc:
        fail(str(exc))
        raise AssertionError("unreachable") from None


@app.command()
def serve(
    dev: Annotated[
        bool,
        typer.Option(
            "--dev",
            help="Development mode: auth off, demo tenant and demo fleet simulator on the local dev stack.",
        ),
    ] = False,
) -> None:
    """Run the service until SIGTERM/SIGINT, then stop within the shutdown grace + 5 s and exit 0."""
    from batchops import dev_mode

    settings = settings_or_exit(**(dev_mode.dev_overrides() if dev else {}))
    configure_logging(settings.log_level, settings.log_format)
    from batchops.metrics import start_metrics_server
    from batchops.service import BatchOpsService

    simulator = None
    if dev:
        log.warning("DEVELOPMENT MODE: authentication is OFF; never expose this instance")
        addresses = settings.grpc_client
        if not addresses.device_management_address and not addresses.event_management_address:
            simulator = dev_mode.start_demo_fleet()
            demo_fleet = {
                "device_management_address": simulator.address,
                "event_management_address": simulator.address,
            }
            settings = settings.model_copy(update={"grpc_client": addresses.model_copy(update=demo_fleet)})
        if not settings.instance.static_tenants:
            dev_mode.ensure_demo_tenant(settings)
    try:
        service = BatchOpsService(settings)
    except OSError as exc:
        fail(f"cannot start the gRPC API: {exc}", 1)
        return
    except ValueError as exc:  # auth enabled without a key, unreadable public key
        fail(f"invalid configuration: {exc}")
        return
    try:
        start_metrics_server(settings.metrics_port, settings.grpc.host)
    except OSError as exc:
        fail(f"cannot start the metrics endpoint on port {settings.metrics_port}: {exc}", 1)
    service.run_until_signalled()
    if simulator is not None:
        simulator.stop()
    # Everything is stopped and closed: skip the interpreter's teardown, which waits for threads
    # still blocked (a handler in a call that never returns) and spends a second or more
    # collecting garbage, time the shutdown bound (grace + 5 s) does not have to give.
    end_process(0)


def end_process(code: int) -> None:
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


StateDirOption = Annotated[
    Path | None, typer.Option("--state-dir", help="Where servers keep state (default: ./.devstack).")
]


@dev_app.command("up")
def dev_up(state_dir: StateDirOption = None) -> None:
    """Install what is missing, start the three servers on 127.0.0.1, wait until they answer."""
    from batchops.devstack import DevStack, DevStackError, default_state_dir

    stack = DevStack(state_dir or default_state_dir())
    try:
        endpoints = stack.up()
    except DevStackError as exc:
        fail(str(exc), 1)
        return
    typer.echo(f"kafka      {endpoints.kafka_bootstrap}")
    typer.echo(f"mongodb    {endpoints.mongo_uri}")
    typer.echo(f"zookeeper  {endpoints.zk_hosts}")


@dev_app.command("down")
def dev_down(state_dir: StateDirOption = None) -> None:
    """Stop exactly the servers `dev up` started (by recorded pid), nothing else."""
    from batchops.devstack import DevStack, DevStackError, default_state_dir

    try:
        stopped = DevStack(state_dir or default_state_dir()).down()
    except DevStackError as exc:
        fail(str(exc), 1)
        return
    typer.echo("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@dev_app.command("status")
def dev_status(state_dir: StateDirOption = None) -> None:
    """Show each local server: running or not, pid, address."""
    from batchops.devstack import DevStack, default_state_dir

    statuses = DevStack(state_dir or default_state_dir()).status()
    for name, status in statuses.items():
        typer.echo(f"{name:<10} {status}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
