"""The fleet simulator: a real gRPC server for DeviceManagement and DeviceEventManagement."""

from __future__ import annotations

import threading
from concurrent import futures

import grpc

from batchops.simulator.device_management import DeviceManagementServicer
from batchops.simulator.event_management import EventManagementServicer
from batchops.simulator.faults import Fault, FaultPlan, FaultSettings
from batchops.simulator.fleet import Fleet
from batchops.simulator.gate import Gate
from batchops.simulator.recorder import InvocationRecorder, RecordedInvocation
from batchops.wire import device_management_pb2_grpc as dms_grpc
from batchops.wire import event_management_pb2_grpc as ems_grpc

NO_FAULTS = FaultSettings()


class FleetSimulator:
    """Serves ``fleet`` on ``host:port`` (port 0: the OS picks one; ``start`` returns it).

    Every call must carry the ``tenant`` header. Tenants share the fleet; invocations are recorded
    per tenant. Faults can be set at start and changed while running (``configure``, ``fail_next``).
    """

    def __init__(
        self,
        fleet: Fleet,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        faults: FaultSettings = NO_FAULTS,
        fault_seed: int | None = None,
        max_workers: int = 32,
    ) -> None:
        self.fleet = fleet
        self.host = host
        self._requested_port = port
        self._max_workers = max_workers
        self._stopping = threading.Event()
        self.faults = FaultPlan(faults, fault_seed)
        self.recorder = InvocationRecorder()
        self._gate = Gate(self.faults, self._stopping)
        self._server: grpc.Server | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> int:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        self._stopping.clear()
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="simulator"),
            options=[("grpc.so_reuseport", 0)],
        )
        dms_grpc.add_DeviceManagementServicer_to_server(
            DeviceManagementServicer(self.fleet, self._gate), server
        )
        ems_grpc.add_DeviceEventManagementServicer_to_server(
            EventManagementServicer(self.fleet, self._gate, self.recorder), server
        )
        port = server.add_insecure_port(f"{self.host}:{self._requested_port}")
        if port == 0:
            raise OSError(f"cannot listen on {self.host}:{self._requested_port}")
        server.start()
        self._server, self.port = server, port
        return port

    def stop(self, grace_seconds: float = 0.5) -> None:
        self._stopping.set()  # wakes calls sleeping on injected latency or timeouts
        server, self._server = self._server, None
        if server is not None:
            server.stop(grace_seconds).wait()

    def wait(self) -> None:
        if self._server is not None:
            self._server.wait_for_termination()

    def __enter__(self) -> FleetSimulator:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Faults.

    def configure(
        self,
        *,
        latency_ms: float | None = None,
        jitter_ms: float | None = None,
        unavailable_rate: float | None = None,
        timeout_rate: float | None = None,
    ) -> FaultSettings:
        return self.faults.configure(
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            unavailable_rate=unavailable_rate,
            timeout_rate=timeout_rate,
        )

    def fail_next(self, count: int, fault: Fault = Fault.UNAVAILABLE, method: str | None = None) -> None:
        self.faults.fail_next(count, fault, method)

    def hold(self, holding: bool = True) -> None:
        """Hang every call (until ``hold(False)``, ``reset`` or the stop): it is answered only once
        released; a held call whose caller went away is never answered or recorded."""
        self._gate.hold(holding)

    @property
    def held(self) -> int:
        """Calls hanging right now."""
        return self._gate.held

    def refuse_invocations(self, device_tokens: frozenset[str]) -> None:
        """Refuse command invocations for these devices (element failures) until ``reset``."""
        self.faults.refuse_invocations(device_tokens)

    # What happened.

    def invocations(self, tenant: str) -> list[RecordedInvocation]:
        return self.recorder.invocations(tenant)

    def duplicates(self, tenant: str) -> int:
        return self.recorder.duplicates(tenant)

    def calls(self, method: str | None = None) -> int:
        """Calls received (all methods, or one by name such as "GetDeviceByToken")."""
        return self._gate.calls(method)

    def reset(self) -> None:
        """Forget invocations and call counts, and clear every fault."""
        self.recorder.reset()
        self._gate.reset()
        self._gate.hold(False)
        self.faults.clear()
