"""``batchops bench``: measure, print a table, write JSON."""

from __future__ import annotations

import contextlib
import json
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer
from rich.console import Console

from batchops.bench.report import render
from batchops.bench.runner import BenchOptions, BenchRun, make_options, parse_latencies, parse_only
from batchops.bench.servers import BenchServers, bench_state_dir, given_servers, own_servers
from batchops.devstack import DevStackError
from batchops.devstack.layout import find_project_root

DEFAULT_OUTPUT = Path("bench/results/latest.json")
MAX_REPEAT = 10
LOG_WIDTH = 140


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """So that SIGTERM, like Ctrl-C, unwinds through every ``finally`` that stops a process."""

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _servers(
    kafka: str | None, mongo_uri: str | None, zk: str | None, keep: bool, progress: Any
) -> contextlib.AbstractContextManager[BenchServers]:
    if kafka or mongo_uri:
        if not (kafka and mongo_uri):
            raise typer.BadParameter("--kafka and --mongo-uri go together (--zk is optional)")
        return given_servers(kafka, mongo_uri, zk)
    return own_servers(keep, progress)


def write_results(results: dict[str, Any], output: Path) -> Path:
    path = output if output.is_absolute() else find_project_root() / output
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return path


# The command's options, one alias each so that its signature stays readable.
OutputOption = Annotated[Path, typer.Option(help="Where to write the JSON results.")]
QuickOption = Annotated[
    bool, typer.Option("--quick", help="Small sizes (a smoke run, well under a minute per scenario).")
]
OnlyOption = Annotated[
    str | None,
    typer.Option(help="Comma-separated scenarios: ceilings,init,processing,latency,invocation,rss."),
]
InitDevices = Annotated[int | None, typer.Option(min=1, help="Devices of the initialization run [100000].")]
ProcessDevices = Annotated[int | None, typer.Option(min=1, help="Devices of the processing run [50000].")]
LatencySamples = Annotated[int | None, typer.Option(min=1, help="10-device operations timed [30].")]
RssDevices = Annotated[int | None, typer.Option(min=1, help="Devices of the large RSS run [1000000].")]
RssSmallDevices = Annotated[int | None, typer.Option(min=1, help="Devices of the small RSS run [10000].")]
RssTimeout = Annotated[float | None, typer.Option(min=1, help="Seconds an RSS run may take [3600].")]
InvocationDevices = Annotated[int | None, typer.Option(min=1, help="Devices of the invocation runs [20000].")]
UpdateSample = Annotated[int | None, typer.Option(min=1, help="Documents of the update ceilings [20000].")]
InvocationLatencies = Annotated[
    str | None, typer.Option(help="Comma-separated simulator latencies (ms) of the invocation runs [0,5].")
]
KafkaOption = Annotated[str | None, typer.Option(help="Use this Kafka instead of starting servers.")]
MongoOption = Annotated[str | None, typer.Option(help="Use this MongoDB instead of starting servers.")]
ZkOption = Annotated[str | None, typer.Option(help="ZooKeeper of the given servers (recorded only).")]
RepeatOption = Annotated[
    int,
    typer.Option(
        min=1,
        max=MAX_REPEAT,
        help="Runs of the chosen scenarios on the same servers; the targets are judged on the medians.",
    ),
]
KeepOption = Annotated[bool, typer.Option("--keep-servers", help="Leave the started servers running.")]


def bench(
    output: OutputOption = DEFAULT_OUTPUT,
    quick: QuickOption = False,
    only: OnlyOption = None,
    init_devices: InitDevices = None,
    process_devices: ProcessDevices = None,
    latency_samples: LatencySamples = None,
    rss_devices: RssDevices = None,
    rss_small_devices: RssSmallDevices = None,
    rss_timeout: RssTimeout = None,
    invocation_devices: InvocationDevices = None,
    update_sample: UpdateSample = None,
    invocation_latencies: InvocationLatencies = None,
    kafka: KafkaOption = None,
    mongo_uri: MongoOption = None,
    zk: ZkOption = None,
    keep_servers: KeepOption = False,
    repeat: RepeatOption = 1,
) -> None:
    """Measure the pipeline against the raw ceilings of the same servers, print a table, write JSON."""
    try:
        options = make_options(
            quick,
            parse_only(only),
            init_devices=init_devices,
            process_devices=process_devices,
            latency_samples=latency_samples,
            rss_devices=rss_devices,
            rss_small_devices=rss_small_devices,
            rss_timeout=rss_timeout,
            invocation_devices=invocation_devices,
            update_sample=update_sample,
        )
        if invocation_latencies is not None:
            options = replace(options, invocation_latencies_ms=parse_latencies(invocation_latencies))
        options = replace(options, repeat=repeat)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    _run(options, output, lambda progress: _servers(kafka, mongo_uri, zk, keep_servers, progress))


def _run(
    options: BenchOptions,
    output: Path,
    servers_for: Callable[[Callable[[str], None]], contextlib.AbstractContextManager[BenchServers]],
) -> None:
    console = Console()
    if not console.is_terminal:  # a log file: wide enough that the tables do not wrap their names
        console = Console(width=LOG_WIDTH)
    start = time.monotonic()

    def progress(message: str) -> None:
        console.print(
            f"{time.monotonic() - start:7.1f}s  {message}", markup=False, highlight=False, soft_wrap=True
        )

    try:
        with _sigterm_as_interrupt(), servers_for(progress) as servers:
            results = BenchRun(options, servers, bench_state_dir() / "runs", progress).run()
    except DevStackError as exc:
        console.print(f"batchops bench: cannot start the servers: {exc}", markup=False)
        raise typer.Exit(1) from None
    path = write_results(results, output)
    render(console, results)
    console.print(f"results written to {path}", markup=False, highlight=False)
    if results["errors"]:
        raise typer.Exit(1)
