"""Issue 14, bounded shutdown, with real processes: `batchops serve` works an operation against the
fleet simulator when device management hangs (every call held, 32 handlers blocked) or is down
(every call UNAVAILABLE). SIGTERM: the process exits 0 within grace + 5 s (measured from the signal),
every outcome obtained before the signal is stored and no element is left Processing. A second
process started right after finishes the operation without waiting for the (long) lease, and no
device is invoked twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import MongoClient

from batchops.devstack import Endpoints, wait_for
from batchops.devstack.ports import free_ports
from batchops.domain import ElementProcessingStatus
from batchops.simulator import FleetSimulator
from batchops.store.database import ELEMENTS
from batchops.store.fields import STATUS, TOKEN
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import multitenant_management_pb2 as mtm
from batchops.wire import multitenant_management_pb2_grpc as mtm_grpc
from support.e2e import Api, check_results, expected_errors
from support.simulator import FleetSpec

PROCESSING = ElementProcessingStatus.PROCESSING.value

BATCHOPS = str(Path(sys.executable).parent / "batchops")
GRACE = 3.0  # small, so the test is short; grace + EXIT_BOUND is the contract under test
EXIT_BOUND = 5.0
CONCURRENCY = 32
LEASE_SECONDS = 300  # waiting for a lease would be visible
DEVICES = 600
COMMAND = "ping"
DEADLINE = 300.0  # for everything that is not the contract: the machine may be busy


@pytest.fixture(scope="session")
def fleet_spec() -> FleetSpec:
    return FleetSpec(seed=31, size=DEVICES, max_workers=64)


class Service:
    """`batchops serve` following ZooKeeper; each run logs to its own file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self._env = env
        self._logs = logs
        self.runs = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runs += 1
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([BATCHOPS, "serve"], env=self._env, stdout=log, stderr=log)

    @property
    def log_path(self) -> Path:
        return self._logs / f"serve-{self.runs}.log"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)


@pytest.fixture
def service(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str, tmp_path: Path
) -> Iterator[tuple[Service, int]]:
    port, metrics_port = free_ports(2)
    env = {
        **os.environ,
        "BATCHOPS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap,
        "BATCHOPS_MONGODB_URI": servers.mongo_uri,
        "BATCHOPS_ZOOKEEPER_HOSTS": servers.zk_hosts,
        "BATCHOPS_MONGODB_TENANT_PREFIX": "grace-",
        "BATCHOPS_INSTANCE_ID": f"grace{unique_name}",
        "BATCHOPS_AUTH_ENABLED": "false",
        "BATCHOPS_GRPC_HOST": "127.0.0.1",
        "BATCHOPS_GRPC_PORT": str(port),
        "BATCHOPS_METRICS_PORT": str(metrics_port),
        "BATCHOPS_LOG_FORMAT": "text",
        "BATCHOPS_SHUTDOWN_GRACE_SECONDS": str(GRACE),
        "BATCHOPS_DEVICE_MANAGEMENT_ADDRESS": simulator.address,
        "BATCHOPS_EVENT_MANAGEMENT_ADDRESS": simulator.address,
        # A dependency that is down keeps the handlers retrying (not failing) until the signal.
        "BATCHOPS_GRPC_CLIENT_MAX_ATTEMPTS": "50",
        "BATCHOPS_GRPC_CLIENT_INITIAL_BACKOFF_SECONDS": "0.05",
        "BATCHOPS_GRPC_CLIENT_MAX_BACKOFF_SECONDS": "0.5",
        "BATCHOPS_GRPC_CLIENT_DEADLINE_SECONDS": "60",
        "BATCHOPS_GRPC_CLIENT_RETRY_WRITES_ON_DEADLINE": "false",
        # Recovery must not be what finishes the operation: only the hand-back may.
        "BATCHOPS_RECOVERY_STALE_SECONDS": "600",
    }
    subprocess.run(
        [
            BATCHOPS,
            "tenants",
            "add",
            unique_name,
            "--processing-concurrency",
            str(CONCURRENCY),
            "--lease-seconds",
            str(LEASE_SECONDS),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    running = Service(env, tmp_path)
    yield running, port
    running.stop()
    client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
    client.drop_database(f"grace-{unique_name}")
    client.close()


def wait_engine_available(channel: grpc.Channel, api: Api) -> None:
    engines = mtm_grpc.MultitenantManagementStub(channel)  # type: ignore[no-untyped-call]
    wait_for(
        lambda: (
            engines.CheckTenantEngineAvailable(
                mtm.GCheckTenantEngineAvailableRequest(), metadata=api.md, timeout=5
            ).available
        ),
        DEADLINE,
        interval=0.2,
        ignore=(grpc.RpcError,),
        message="tenant engine available",
    )


def element_statuses(servers: Endpoints, tenant: str) -> dict[str, str]:
    client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
    try:
        elements = client[f"grace-{tenant}"][ELEMENTS]
        return {doc[TOKEN]: doc[STATUS] for doc in elements.find({}, {TOKEN: 1, STATUS: 1})}
    finally:
        client.close()


def every_handler_blocked(simulator: FleetSimulator, servers: Endpoints, tenant: str) -> bool:
    """All handler slots hold a hung call, or (a batch's last elements) every claimed element does:
    either state lasts, since no batch can end while its calls hang."""
    held = simulator.held
    if held >= CONCURRENCY:
        return True
    processing = list(element_statuses(servers, tenant).values()).count(PROCESSING)
    return 0 < processing <= held


@pytest.mark.timeout(1200)
@pytest.mark.parametrize("dependency", ["hung", "down"])
def test_sigterm_hands_work_back_within_the_grace(
    service: tuple[Service, int],
    simulator: FleetSimulator,
    servers: Endpoints,
    unique_name: str,
    dependency: str,
) -> None:
    running, port = service
    devices = [device.token for device in simulator.fleet.devices]
    expected = expected_errors(simulator.fleet, devices, COMMAND)

    running.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        api = Api(batch_management_pb2_grpc.BatchManagementStub(channel), unique_name)  # type: ignore[no-untyped-call]
        wait_engine_available(channel, api)
        # Slow enough that the element records pile up and the processor takes them in big batches.
        simulator.configure(latency_ms=20)
        operation = api.invoke(COMMAND, devices)
        # Some outcomes obtained first, then the dependency hangs or goes down under the handlers.
        wait_for(lambda: simulator.recorder.count(unique_name) >= 50, DEADLINE, message="50 invocations")
        if dependency == "hung":
            simulator.hold()
            wait_for(
                lambda: every_handler_blocked(simulator, servers, unique_name),
                DEADLINE,
                message="every handler blocked",
            )
        else:
            simulator.configure(unavailable_rate=1.0)
            failing_from = simulator.calls()
            wait_for(lambda: simulator.calls() >= failing_from + 200, DEADLINE, message="handlers retrying")
    invoked = {i.device_token for i in simulator.invocations(unique_name)}
    blocked = simulator.held

    assert running.process is not None
    signalled = time.monotonic()
    running.process.send_signal(signal.SIGTERM)
    code = running.process.wait(DEADLINE)
    exit_seconds = time.monotonic() - signalled
    log = running.log_path.read_text()

    assert code == 0, log[-5000:]
    assert exit_seconds <= GRACE + EXIT_BOUND, f"exited {exit_seconds:.1f} s after SIGTERM\n{log[-5000:]}"
    assert "Cannot use MongoClient after close" not in log
    statuses = element_statuses(servers, unique_name)
    assert PROCESSING not in statuses.values()  # all handed back
    # Every outcome obtained before the signal is stored.
    assert {statuses[token] for token in invoked} == {ElementProcessingStatus.SUCCEEDED.value}

    # Lift the fault once the held calls have seen their caller go (they then do nothing).
    wait_for(lambda: simulator.held == 0, DEADLINE, message="held calls cancelled")
    simulator.hold(False)
    simulator.configure(latency_ms=0, unavailable_rate=0)
    started = time.monotonic()
    running.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        api = Api(batch_management_pb2_grpc.BatchManagementStub(channel), unique_name)  # type: ignore[no-untyped-call]
        wait_for(
            lambda: api.get(operation.id) is not None, DEADLINE, ignore=(grpc.RpcError,), message="serving"
        )
        check_results(api, simulator, operation, expected, {})  # no device invoked twice
        finish_seconds = time.monotonic() - started
    print(
        f"\n{dependency}: {blocked} calls held; "
        f"exit {exit_seconds:.2f} s after SIGTERM (grace {GRACE:g} s), "
        f"{len(invoked)} outcomes obtained before it; second instance finished in {finish_seconds:.1f} s "
        f"(lease {LEASE_SECONDS} s); duplicates {simulator.duplicates(unique_name)}"
    )
    assert finish_seconds < LEASE_SECONDS  # it did not wait for the lease
