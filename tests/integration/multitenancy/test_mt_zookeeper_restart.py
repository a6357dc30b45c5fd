"""A ZooKeeper server restart: running engines keep processing, and the manager resyncs afterwards.

The test runs its own ZooKeeper (a DevStack reduced to that one server, in a temporary folder on free
ports) so it can stop and start it; Kafka and MongoDB are the shared test servers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kazoo.client import KazooState

from batchops.devstack import DevStack, Ports, wait_for
from batchops.devstack.ports import free_ports
from batchops.devstack.servers import ServerSpec
from batchops.tenants import ZkLayout
from batchops.tenants.admin import add_tenant, configure_tenant, connect, document_from_options
from support.api import tenant_md
from support.multitenancy import (
    RecordingService,
    ServiceFactory,
    Stubs,
    TenantIds,
    TenantRecorder,
    create_operation,
    engine_available,
    wait_final,
)


class ZooKeeperOnly(DevStack):
    def specs(self) -> list[ServerSpec]:
        return [spec for spec in super().specs() if spec.name == "zookeeper"]


@pytest.fixture
def own_zookeeper(tmp_path: Path, devstack_install_dir: Path) -> Iterator[DevStack]:
    zookeeper, mongo, kafka, controller = free_ports(4)  # only ZooKeeper's is used; DevStack wants all
    stack = ZooKeeperOnly(
        tmp_path / "devstack",
        ports=Ports(kafka=kafka, mongo=mongo, zookeeper=zookeeper, kafka_controller=controller),
        install_dir=devstack_install_dir,
        ready_timeout=60,
    )
    stack.up()
    yield stack
    stack.down()


def _session_state(service: RecordingService) -> str:
    assert service.manager is not None
    return str(service.manager.client.state)


def test_zookeeper_restart_keeps_engines_processing_and_resyncs_afterwards(
    own_zookeeper: DevStack,  # first: torn down after the service
    make_service: ServiceFactory,
    stubs: Stubs,
    tenant_ids: TenantIds,
    recorder: TenantRecorder,
    layout: ZkLayout,
) -> None:
    zk_hosts = own_zookeeper.endpoints.zk_hosts
    service = make_service(zk_hosts=zk_hosts)
    stub, mtm_stub = stubs(service)
    a, b, c = tenant_ids("a"), tenant_ids("b"), tenant_ids("c")
    with connect(zk_hosts) as zk:
        for tenant in (a, b):
            add_tenant(zk, layout, tenant, document_from_options({}))
    engine_a, engine_b = service.running_engine(a), service.running_engine(b)

    # An operation in flight across the outage: its elements wait at a gate until ZooKeeper is down.
    gate = recorder.gate("outage")
    op_a = create_operation(stub, tenant_md(a), [f"a-{i}" for i in range(30)], parameters={"gate": "outage"})
    wait_for(lambda: recorder.waiting(a) > 0, 30, message="elements of A in flight")

    own_zookeeper.down(only=["zookeeper"])
    wait_for(lambda: _session_state(service) != KazooState.CONNECTED, 30, message="ZooKeeper loss noticed")
    gate.set()
    # Without ZooKeeper: the operation finishes, and running tenants take and finish new work.
    done_a = wait_final(stub, tenant_md(a), op_a.id)
    done_b = wait_final(stub, tenant_md(b), create_operation(stub, tenant_md(b), ["b-1", "b-2"]).id)
    assert (done_a.succeededCount, done_a.failedCount, done_b.succeededCount) == (30, 0, 2)
    assert engine_available(mtm_stub, a)
    assert "zookeeper" not in own_zookeeper.running()  # all of the above happened during the outage

    own_zookeeper.up()
    wait_for(lambda: _session_state(service) == KazooState.CONNECTED, 60, message="reconnected")
    # Resynced: the tenant list watch sees a new tenant, per-tenant watches see a configuration change.
    with connect(zk_hosts) as zk:
        add_tenant(zk, layout, c, document_from_options({}))
        configure_tenant(zk, layout, b, document_from_options({"throttle_delay_ms": 5}))
    service.running_engine(c)
    wait_for(lambda: service.engine(b) not in (None, engine_b), 30, message="B restarted")
    done_c = wait_final(stub, tenant_md(c), create_operation(stub, tenant_md(c), ["c-1"]).id)
    assert done_c.succeededCount == 1

    # No engine started twice: A kept its engine throughout, B restarted once for its new configuration.
    assert service.engine(a) is engine_a
    starts = {t: [e.config.throttle_delay_ms for e in service.of(t, "start")] for t in (a, b, c)}
    assert starts == {a: [0], b: [0, 5], c: [0]}
    assert [(e.tenant_id, e.engine_id) for e in service.events if e.action == "stop"] == [
        (b, service.of(b, "start")[0].engine_id)
    ]
