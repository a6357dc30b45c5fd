"""The outgoing channel pool: blocking callers on many threads, their calls on one asyncio loop;
a stuck loop or a closing pool never leaves a caller waiting for ever."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from batchops.clients import ChannelPool, ClientSettings, DeviceManagementClient
from batchops.clients.channels import LoopTimeout
from batchops.devstack import wait_for
from batchops.simulator import Fleet, FleetSimulator
from batchops.wire import device_management_pb2 as dms
from batchops.wire import device_management_pb2_grpc as dms_grpc


def test_one_channel_per_address(simulator: FleetSimulator) -> None:
    with ChannelPool() as pool:
        assert pool.channel(simulator.address) is pool.channel(simulator.address)
        assert pool.channel(simulator.address) is not pool.channel(f"localhost:{simulator.port}")


def test_blocking_callers_on_many_threads_share_the_loop(
    client_settings: ClientSettings, fleet: Fleet, tenant: str
) -> None:
    tokens = [d.token for d in fleet.devices[:200]]
    with ChannelPool() as pool:
        client = DeviceManagementClient(client_settings, pool)
        with ThreadPoolExecutor(max_workers=16) as threads:
            found = list(threads.map(lambda t: client.get_device_by_token(t, tenant_id=tenant), tokens))
    assert [d.token if d else None for d in found] == tokens


def test_a_stuck_loop_ends_the_call_with_deadline_exceeded(simulator: FleetSimulator, tenant: str) -> None:
    pool = ChannelPool(loop_margin_seconds=0.2)
    release = threading.Event()
    try:
        stub = dms_grpc.DeviceManagementStub(pool.channel(simulator.address))
        # A coroutine that blocks the loop's thread: nothing else on the loop can run.
        asyncio.run_coroutine_threadsafe(_block(release), pool._loop)
        with pytest.raises(LoopTimeout) as raised:
            request = dms.GGetDeviceByTokenRequest(token="x")
            pool.call(stub.GetDeviceByToken, request, 0.3, (("tenant", tenant),))
        assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        release.set()
        pool.close()


async def _block(release: threading.Event) -> None:
    release.wait(30)


def test_closing_the_pool_ends_a_call_under_way_and_refuses_new_channels(
    simulator: FleetSimulator, client_settings: ClientSettings, tenant: str
) -> None:
    pool = ChannelPool()
    client = DeviceManagementClient(client_settings, pool)
    simulator.hold()
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.get_device_by_token("dev-000001", tenant_id=tenant)
        except BaseException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    wait_for(lambda: simulator.held >= 1, timeout=30, message="the call to reach the simulator")
    started = time.monotonic()
    pool.close()
    caller.join(30)
    assert not caller.is_alive()
    assert errors, "the call under way ended with an error"
    assert time.monotonic() - started < 20  # bounded: never the call's own (long) retries
    with pytest.raises(RuntimeError, match="closed"):
        pool.channel(simulator.address)
    simulator.hold(False)
