"""The service process the benchmark runs: ``python -m batchops.bench.serve``.

The same ``BatchOpsService`` as ``batchops serve`` (settings from ``BATCHOPS_*``, metrics endpoint,
graceful stop on SIGTERM), with the ``Noop`` handler registered. Prints ``READY <grpc port>`` once
every static tenant's consumers hold partitions, so the benchmark never times a group join.
"""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

from batchops.bench.noop import NoopHandler
from batchops.bench.profiling import cpu_profile
from batchops.config import ConfigurationError, load_settings
from batchops.logs import configure_logging
from batchops.metrics import start_metrics_server
from batchops.service import BatchOpsService, default_registry

READY = "READY"
READY_TIMEOUT = 120.0


def main() -> int:
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    registry = default_registry()
    if registry.get(NoopHandler.operation_type) is None:
        registry.register(NoopHandler())
    service = BatchOpsService(settings, registry=registry)
    start_metrics_server(settings.metrics_port, settings.grpc.host)
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service.start()
    try:
        if all(engine.wait_ready(READY_TIMEOUT) for engine in service.static_engines.values()):
            print(f"{READY} {service.port}", flush=True)
        else:
            print("NOT READY: consumers did not join their groups", flush=True)
            return 1
        with cpu_profile():
            stop.wait()
        return 0
    finally:
        service.stop()


if __name__ == "__main__":
    sys.exit(main())
