"""``batchops simulate``: run the fleet simulator until SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import threading
from types import FrameType

from batchops.simulator.faults import FaultSettings
from batchops.simulator.fleet import Fleet
from batchops.simulator.server import FleetSimulator


def simulate(
    port: int = 9100,
    host: str = "0.0.0.0",
    devices: int = 1000,
    seed: int = 1,
    device_types: int = 5,
    unassigned_share: float = 0.10,
    double_assigned_share: float = 0.05,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    unavailable_rate: float = 0.0,
    timeout_rate: float = 0.0,
    workers: int = 32,
) -> None:
    """Serve SiteWhere's DeviceManagement and DeviceEventManagement APIs over a synthetic fleet.

    Point batchops' device-management and event-management addresses at the printed address.
    """
    fleet = Fleet.generate(
        seed,
        devices,
        device_types=device_types,
        unassigned_share=unassigned_share,
        double_assigned_share=double_assigned_share,
    )
    simulator = FleetSimulator(
        fleet,
        host,
        port,
        faults=FaultSettings(latency_ms, jitter_ms, unavailable_rate, timeout_rate),
        max_workers=workers,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    simulator.start()
    try:
        print(f"fleet simulator listening on {simulator.address} (seed {seed})", flush=True)
        print(fleet.summary(), flush=True)
        stop.wait()
    finally:
        simulator.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        recorded = ", ".join(f"{t}: {simulator.recorder.count(t)}" for t in simulator.recorder.tenants())
        print(f"stopped; invocations recorded per tenant: {recorded or 'none'}", flush=True)
