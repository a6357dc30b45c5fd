"""The tenant engine manager follows ZooKeeper: start, restart on new configuration, stop, survive expiry."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator

import pytest
from kazoo.client import KazooClient, KazooState

from batchops.devstack import Endpoints, wait_for
from batchops.tenants import (
    Backoff,
    TenantConfiguration,
    TenantEngineManager,
    TenantState,
    ZkConnection,
    ZkLayout,
)
from batchops.tenants.admin import add_tenant, configure_tenant, document_from_options, remove_tenant
from support.faults import TcpCut
from support.recording_engine import RecordingFactory

TIMEOUT = 15.0
SITEWHERE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans"
    xmlns:bop="http://sitewhere.io/schema/sitewhere/microservice/batch-operations">
    <bop:batch-operations><bop:batch-operation-manager throttleDelayMs="100"/></bop:batch-operations>
</beans>
"""


def _add(zk: KazooClient, layout: ZkLayout, tenant_id: str, **settings: object) -> None:
    add_tenant(zk, layout, tenant_id, document_from_options(settings))


def _configure(zk: KazooClient, layout: ZkLayout, tenant_id: str, **settings: object) -> None:
    configure_tenant(zk, layout, tenant_id, document_from_options(settings))


def _wait_running(factory: RecordingFactory, tenant_id: str, **expected: object) -> TenantConfiguration:
    def ready() -> TenantConfiguration | None:
        config = factory.running_config(tenant_id)
        if config is None or any(getattr(config, name) != value for name, value in expected.items()):
            return None
        return config

    return wait_for(ready, timeout=TIMEOUT, message=f"{tenant_id} running with {expected}")


def _wait_state(manager: TenantEngineManager, tenant_id: str, state: TenantState) -> None:
    wait_for(
        lambda: (status := manager.status().get(tenant_id)) is not None and status.state is state,
        timeout=TIMEOUT,
        message=f"{tenant_id} {state}",
    )


def test_adding_a_tenant_starts_its_engine(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    _add(zk, layout, "acme", throttle_delay_ms=5, rate_limit_per_second=20)
    config = _wait_running(factory, "acme")
    assert (config.throttle_delay_ms, config.rate_limit_per_second) == (5, 20)
    assert manager.wait_until_running("acme", TIMEOUT)
    status = manager.status()["acme"]
    assert status.state is TenantState.RUNNING
    assert status.config == config and status.config_source == "batch-operations.json"
    assert status.started_at is not None and status.error is None
    assert manager.engine("acme") is factory.running("acme")[0]
    assert manager.engine("nobody") is None
    wait_for(lambda: zk.exists(layout.tenant_bootstrapped("acme")), timeout=TIMEOUT, message="state marker")
    assert zk.exists(layout.bootstrapped_marker) is not None


def test_sitewhere_tenant_starts_only_once_configured(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    # SiteWhere's instance management writes the folder and configuration first, the marker last.
    tenant = "53daebb2-8b54-4031-a4b9-29e3fc04b4be"
    zk.create(layout.sitewhere_config(tenant), SITEWHERE_XML, makepath=True)
    wait_for(lambda: tenant in manager._watcher.known, timeout=TIMEOUT, message="tenant seen")
    assert factory.of(tenant, "start") == []
    assert tenant not in manager.status()
    zk.create(layout.configured_marker(tenant))
    assert _wait_running(factory, tenant).throttle_delay_ms == 100
    assert manager.status()[tenant].config_source == "batch-operations.xml"


def test_configuration_change_restarts_with_the_new_configuration(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    _add(zk, layout, "acme", throttle_delay_ms=5)
    _wait_running(factory, "acme", throttle_delay_ms=5)
    _configure(zk, layout, "acme", throttle_delay_ms=50)
    _wait_running(factory, "acme", throttle_delay_ms=50)
    starts, stops = factory.of("acme", "start"), factory.of("acme", "stop")
    assert [call.config.throttle_delay_ms for call in starts] == [5, 50]
    assert len(stops) == 1 and stops[0].engine_id == starts[0].engine_id
    assert starts[0].at < stops[0].at < starts[1].at


def test_json_node_overrides_sitewhere_xml(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    zk.create(layout.sitewhere_config("acme"), SITEWHERE_XML, makepath=True)
    zk.create(layout.configured_marker("acme"))
    _wait_running(factory, "acme", throttle_delay_ms=100)
    zk.create(layout.json_config("acme"), b'{"throttleDelayMs": 7}')
    _wait_running(factory, "acme", throttle_delay_ms=7)
    zk.delete(layout.json_config("acme"))
    _wait_running(factory, "acme", throttle_delay_ms=100)
    assert len(factory.of("acme", "start")) == 3


def test_invalid_configuration_keeps_that_tenant_stopped_only(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    _add(zk, layout, "good", throttle_delay_ms=1)
    _add(zk, layout, "bad", throttle_delay_ms=2)
    _wait_running(factory, "bad")
    zk.set(layout.json_config("bad"), b'{"throttleDelayMs": -1}')
    _wait_state(manager, "bad", TenantState.INVALID_CONFIG)
    status = manager.status()["bad"]
    assert status.error is not None and "throttleDelayMs" in status.error
    assert factory.running("bad") == [] and manager.engine("bad") is None
    assert manager.status()["good"].state is TenantState.RUNNING
    assert len(factory.of("good", "start")) == 1 and factory.of("good", "stop") == []
    # Fixing the configuration starts the engine again.
    _configure(zk, layout, "bad", throttle_delay_ms=3)
    _wait_running(factory, "bad", throttle_delay_ms=3)


def test_invalid_configuration_at_startup_never_starts(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    zk.create(layout.sitewhere_config("acme"), b"<!DOCTYPE x><beans/>", makepath=True)
    zk.create(layout.configured_marker("acme"))
    _wait_state(manager, "acme", TenantState.INVALID_CONFIG)
    assert "DOCTYPE" in (manager.status()["acme"].error or "")
    assert factory.engines == []


def test_removing_a_tenant_stops_its_engine(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    _add(zk, layout, "acme")
    _add(zk, layout, "other")
    _wait_running(factory, "acme")
    _wait_running(factory, "other")
    remove_tenant(zk, layout, "acme")
    wait_for(lambda: "acme" not in manager.status(), timeout=TIMEOUT, message="acme forgotten")
    assert factory.running("acme") == [] and len(factory.of("acme", "stop")) == 1
    assert manager.engine("acme") is None
    assert manager.status()["other"].state is TenantState.RUNNING


def test_deleting_only_the_marker_stops_the_engine(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    _add(zk, layout, "acme")
    _wait_running(factory, "acme")
    zk.delete(layout.configured_marker("acme"))
    wait_for(lambda: factory.of("acme", "stop"), timeout=TIMEOUT, message="acme stopped")
    zk.create(layout.configured_marker("acme"))
    _wait_running(factory, "acme")
    assert len(factory.of("acme", "start")) == 2


def test_three_tenants_at_once(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    transaction = zk.transaction()
    zk.ensure_path(layout.tenants_conf)
    for index, tenant in enumerate(("t1", "t2", "t3")):
        transaction.create(layout.tenant_conf(tenant))
        transaction.create(layout.json_config(tenant), f'{{"throttleDelayMs": {index}}}'.encode())
        transaction.create(layout.configured_marker(tenant))
    transaction.commit()
    for index, tenant in enumerate(("t1", "t2", "t3")):
        _wait_running(factory, tenant, throttle_delay_ms=index)
    assert len(factory.calls) == 3
    assert set(manager.status()) == {"t1", "t2", "t3"}


def test_tenants_present_before_the_manager_starts(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    for tenant in ("a", "b"):
        _add(zk, layout, tenant)
    manager = TenantEngineManager(
        ZkConnection(servers.zk_hosts), layout.instance_id, factory, instance_name="early"
    )
    manager.start()
    try:
        _wait_running(factory, "a")
        _wait_running(factory, "b")
    finally:
        manager.stop()
    assert len(factory.of("a", "stop")) == 1 and len(factory.of("b", "stop")) == 1
    assert {status.state for status in manager.status().values()} == {TenantState.STOPPED}
    assert zk.exists(f"{layout.instances}/early") is None


def test_failed_start_is_retried_and_visible(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    factory.fail_next_starts("acme", 2)
    _add(zk, layout, "acme")
    _wait_state(manager, "acme", TenantState.FAILED)
    status = manager.status()["acme"]
    assert status.error is not None and "broker unavailable" in status.error
    assert status.start_attempts >= 1 and status.next_retry_at is not None
    _wait_running(factory, "acme")
    assert len(factory.of("acme", "start-failed")) == 2 and len(factory.of("acme", "start")) == 1
    status = manager.status()["acme"]
    assert status.state is TenantState.RUNNING and status.error is None and status.start_attempts == 0


def test_failed_start_gives_up_after_max_attempts(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    manager = TenantEngineManager(
        ZkConnection(servers.zk_hosts),
        layout.instance_id,
        factory,
        instance_name="bounded",
        backoff=Backoff(initial=0.05, max_attempts=3),
    )
    manager.start()
    try:
        factory.fail_next_starts("acme", 100)
        _add(zk, layout, "acme")
        wait_for(
            lambda: (
                manager.status().get("acme") is not None
                and manager.status()["acme"].start_attempts == 3
                and manager.status()["acme"].next_retry_at is None
            ),
            timeout=TIMEOUT,
            message="gave up",
        )
        assert len(factory.of("acme", "start-failed")) == 3
        # A new configuration is a fresh chance.
        factory.fail_next_starts("acme", 0)
        _configure(zk, layout, "acme", throttle_delay_ms=1)
        _wait_running(factory, "acme", throttle_delay_ms=1)
    finally:
        manager.stop()


def _expire_session(servers: Endpoints, client: KazooClient) -> None:
    """The classic technique: a second client joins the session, then closes it."""
    session_id, password = client.client_id
    intruder = KazooClient(hosts=servers.zk_hosts, client_id=(session_id, password))
    intruder.start(timeout=TIMEOUT)
    intruder.stop()
    intruder.close()


def test_session_expiry_keeps_engines_and_resyncs_watches(
    servers: Endpoints,
    manager: TenantEngineManager,
    zk: KazooClient,
    layout: ZkLayout,
    factory: RecordingFactory,
) -> None:
    _add(zk, layout, "acme", throttle_delay_ms=1)
    _wait_running(factory, "acme")
    presence = f"{layout.instances}/test-instance"
    assert zk.exists(presence) is not None
    states: list[str] = []
    manager.client.add_listener(states.append)
    old_session = manager.client.client_id[0]

    _expire_session(servers, manager.client)
    wait_for(
        lambda: (
            KazooState.LOST in states
            and manager.client.connected
            and manager.client.client_id[0] != old_session
        ),
        timeout=TIMEOUT,
        message="session expired and replaced",
    )
    # The running engine was left alone, the presence node came back under the new session.
    assert manager.status()["acme"].state is TenantState.RUNNING
    wait_for(
        lambda: (
            (stat := zk.exists(presence)) is not None and stat.ephemeralOwner == manager.client.client_id[0]
        ),
        timeout=TIMEOUT,
        message="presence recreated",
    )
    # Watches were re-armed: a new tenant starts, an existing one restarts on change.
    _add(zk, layout, "late")
    _wait_running(factory, "late")
    _configure(zk, layout, "acme", throttle_delay_ms=2)
    _wait_running(factory, "acme", throttle_delay_ms=2)
    assert len(factory.of("acme", "start")) == 2 and len(factory.of("acme", "stop")) == 1
    assert len(factory.of("late", "start")) == 1


def test_node_creation_to_engine_start_latency(
    manager: TenantEngineManager, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    latencies = []
    for index in range(20):
        tenant = f"lat{index}"
        created = time.monotonic()
        _add(zk, layout, tenant)
        _wait_running(factory, tenant)
        latencies.append(factory.of(tenant, "start")[0].at - created)
    median, worst = statistics.median(latencies), max(latencies)
    print(f"\nnode creation -> engine start: median {median * 1000:.1f} ms, max {worst * 1000:.1f} ms (n=20)")
    assert median < 1.0


def test_manager_stop_stops_engines_in_parallel(
    servers: Endpoints, zk: KazooClient, layout: ZkLayout
) -> None:
    gate = threading.Barrier(3, timeout=TIMEOUT)

    factory = RecordingFactory()
    manager = TenantEngineManager(
        ZkConnection(servers.zk_hosts), layout.instance_id, factory, instance_name="par", workers=4
    )
    manager.start()
    for tenant in ("a", "b", "c"):
        _add(zk, layout, tenant)
    for tenant in ("a", "b", "c"):
        _wait_running(factory, tenant)
    factory.stop_hook = gate.wait  # all three stops must be in flight together
    manager.stop()
    assert all(not engine.running for engine in factory.engines)


@pytest.fixture
def outage(servers: Endpoints) -> Iterator[TcpCut]:
    host, port = servers.zk_hosts.split(",")[0].rsplit(":", 1)
    cut = TcpCut(host, int(port))
    yield cut
    cut.close()


def test_connection_outage_keeps_engines_and_catches_up_on_reconnect(
    outage: TcpCut, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    manager = TenantEngineManager(
        ZkConnection(outage.address, session_timeout=20.0),
        layout.instance_id,
        factory,
        instance_name="outage",
    )
    manager.start()
    try:
        _add(zk, layout, "acme", throttle_delay_ms=1)
        _wait_running(factory, "acme")
        states: list[str] = []
        manager.client.add_listener(states.append)
        session = manager.client.client_id[0]

        outage.cut()
        wait_for(lambda: KazooState.SUSPENDED in states, timeout=TIMEOUT, message="suspended")
        # Changes made while this instance cannot see them (kazoo drops its watches on suspension).
        _configure(zk, layout, "acme", throttle_delay_ms=2)
        _add(zk, layout, "late")
        assert manager.status()["acme"].state is TenantState.RUNNING
        assert factory.of("acme", "stop") == []

        outage.restore()
        wait_for(lambda: manager.client.connected, timeout=TIMEOUT, message="reconnected")
        assert manager.client.client_id[0] == session  # same session: a resync, not a new start
        _wait_running(factory, "acme", throttle_delay_ms=2)
        _wait_running(factory, "late")
        assert len(factory.of("acme", "start")) == 2 and len(factory.of("late", "start")) == 1
    finally:
        manager.stop()


def test_stop_while_zookeeper_is_unreachable(
    outage: TcpCut, zk: KazooClient, layout: ZkLayout, factory: RecordingFactory
) -> None:
    manager = TenantEngineManager(
        ZkConnection(outage.address), layout.instance_id, factory, instance_name="cutoff"
    )
    manager.start()
    _add(zk, layout, "acme")
    _wait_running(factory, "acme")
    outage.cut()
    began = time.monotonic()
    manager.stop()
    assert time.monotonic() - began < 10
    assert factory.running("acme") == [] and len(factory.of("acme", "stop")) == 1
