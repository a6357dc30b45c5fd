"""Fault injection: the real service in its own process, SIGKILLed again and again while it
processes 2 operations x 1,000 devices against the fleet simulator. Every operation still
finishes with exact counts, and the handler calls repeated (duplicated command invocations, from
the simulator's duplicate detection) stay within processing concurrency per kill."""

from __future__ import annotations

import json
import os
import random
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
from batchops.ops.views import FINAL_STATUSES, operation_status, uuid_text
from batchops.simulator import FleetSimulator
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import multitenant_management_pb2 as mtm
from batchops.wire import multitenant_management_pb2_grpc as mtm_grpc
from support.e2e import Api, expected_errors

BATCHOPS = str(Path(sys.executable).parent / "batchops")
OPERATIONS = 2
DEVICES = 1000  # of the fleet (successes and failures): the bound is per kill, not per device
KILLS = 4
CONCURRENCY = 16  # the tenant's processingConcurrency: what one kill may repeat at most
LEASE_SECONDS = 6  # short, so a killed worker's claims come back quickly
COMMAND = "ping"
DEADLINE = 600.0  # per wait: generous, the machine may be busy


class Service:
    """`batchops serve` following ZooKeeper, restartable; each run logs to its own file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self._env = env
        self._logs = logs
        self.runs = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.runs += 1
        with (self._logs / f"serve-{self.runs}.log").open("wb") as log:
            self.process = subprocess.Popen([BATCHOPS, "serve"], env=self._env, stdout=log, stderr=log)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def service(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str, tmp_path: Path
) -> Iterator[tuple[Service, int]]:
    port, metrics_port = free_ports(2)
    instance = f"kill{unique_name}"
    env = {
        **os.environ,
        "BATCHOPS_KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap,
        "BATCHOPS_MONGODB_URI": servers.mongo_uri,
        "BATCHOPS_ZOOKEEPER_HOSTS": servers.zk_hosts,
        "BATCHOPS_MONGODB_TENANT_PREFIX": "kill-",
        "BATCHOPS_INSTANCE_ID": instance,
        "BATCHOPS_AUTH_ENABLED": "false",
        "BATCHOPS_GRPC_HOST": "127.0.0.1",
        "BATCHOPS_GRPC_PORT": str(port),
        "BATCHOPS_METRICS_PORT": str(metrics_port),
        "BATCHOPS_LOG_FORMAT": "text",
        "BATCHOPS_DEVICE_MANAGEMENT_ADDRESS": simulator.address,
        "BATCHOPS_EVENT_MANAGEMENT_ADDRESS": simulator.address,
        "BATCHOPS_TARGET_CHUNK_SIZE": "500",
        "BATCHOPS_RECOVERY_INTERVAL_SECONDS": "1",
        "BATCHOPS_RECOVERY_STALE_SECONDS": "8",
        # After each kill the new instance's consumers wait for the dead members' sessions to
        # expire: the broker's minimum instead of 10 s (heartbeats come from librdkafka's thread).
        "BATCHOPS_KAFKA_OVERRIDES": json.dumps({"session.timeout.ms": "6000"}),
        # Only crashes may repeat a call here: no retry after a deadline on a busy machine.
        "BATCHOPS_GRPC_CLIENT_RETRY_WRITES_ON_DEADLINE": "false",
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
            "--consumer-batch-size",
            "100",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    running = Service(env, tmp_path)
    yield running, port
    running.stop()
    client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
    client.drop_database(f"kill-{unique_name}")
    client.close()


def wait_finished(api: Api, operation: bm.GBatchOperation) -> bm.GBatchOperation:
    """Until the operation is final; refused calls (the service is restarting) count as not yet."""

    def finished() -> bm.GBatchOperation | None:
        current = api.get(operation.id)
        return current if operation_status(current) in FINAL_STATUSES else None

    result: bm.GBatchOperation = wait_for(
        finished, DEADLINE, interval=0.5, ignore=(grpc.RpcError,), message=f"{operation.token} finished"
    )
    return result


@pytest.mark.timeout(1800)
def test_sigkills_during_processing_repeat_at_most_the_calls_in_flight(
    service: tuple[Service, int], simulator: FleetSimulator, unique_name: str
) -> None:
    running, port = service
    fleet = simulator.fleet
    devices = [device.token for device in fleet.devices][:DEVICES]
    expected = expected_errors(fleet, devices, COMMAND)
    succeeding = sum(1 for error in expected.values() if error is None)
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    # Kill points: numbers of invocations seen, spread over the first 3/4 of the work so every
    # kill lands while elements are being processed.
    total = OPERATIONS * succeeding
    kill_at = sorted(rng.sample(range(total // 20, total * 3 // 4), KILLS))

    running.start()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        api = Api(batch_management_pb2_grpc.BatchManagementStub(channel), unique_name)  # type: ignore[no-untyped-call]
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
        operations = [api.invoke(COMMAND, devices) for _ in range(OPERATIONS)]

        started = time.monotonic()
        for kill, point in enumerate(kill_at, 1):
            wait_for(
                lambda point=point: simulator.recorder.count(unique_name) >= point,  # type: ignore[misc]
                DEADLINE,
                interval=0.02,
                message=f"kill {kill}: {point} invocations",
            )
            running.kill()
            running.start()
        finals = [wait_finished(api, operation) for operation in operations]

        duplicates = simulator.duplicates(unique_name)
        invocations = simulator.recorder.count(unique_name)
        print(
            f"\n{KILLS} SIGKILLs (seed {seed}, at invocations {kill_at}), processing concurrency "
            f"{CONCURRENCY}: {duplicates} duplicated invocations (bound {KILLS * CONCURRENCY}), "
            f"{invocations} invocations for {total} successes, {time.monotonic() - started:.0f} s"
        )
        for final in finals:
            assert final.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS
            assert final.elementCount == len(devices)
            assert (final.succeededCount, final.failedCount) == (succeeding, len(devices) - succeeding)
            assert (final.unprocessedCount, final.processingCount) == (0, 0)
            assert len(api.elements(final, ElementProcessingStatus.SUCCEEDED)) == succeeding
            mine = {
                i.device_token
                for i in simulator.invocations(unique_name)
                if i.request.initiator_id == uuid_text(final.id)
            }
            assert mine == {token for token, error in expected.items() if error is None}
        assert duplicates <= KILLS * CONCURRENCY, f"{duplicates} duplicates after {KILLS} kills (seed {seed})"
