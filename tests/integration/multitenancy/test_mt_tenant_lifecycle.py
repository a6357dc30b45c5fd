"""A tenant's life in ZooKeeper drives its real engine: added → serves, configured → restarted with the
new settings, removed → stopped and UNAVAILABLE; CheckTenantEngineAvailable follows."""

from __future__ import annotations

import time

import grpc
from kazoo.client import KazooClient

from batchops import metrics
from batchops.devstack import wait_for
from batchops.tenants import ZkLayout
from batchops.tenants.admin import configure_tenant, document_from_options, remove_tenant
from batchops.wire import batch_model_pb2 as bm
from support.api import tenant_md
from support.multitenancy import (
    Admin,
    ServiceFactory,
    Stubs,
    TenantIds,
    TenantRecorder,
    code_of,
    create_operation,
    engine_available,
    get_operation,
    span_seconds,
    wait_final,
    when_available,
)

SERVE_WITHIN = 10.0  # acceptance criterion: a new tenant serves within 10 s of its nodes' creation


def test_added_tenant_serves_within_10_seconds(
    make_service: ServiceFactory, stubs: Stubs, add: Admin, tenant_ids: TenantIds, recorder: TenantRecorder
) -> None:
    service = make_service()
    stub, _ = stubs(service)
    tenant = tenant_ids("new")
    md = tenant_md(tenant)
    tokens = [f"{tenant}-dev-{i}" for i in range(10)]

    created_at = time.monotonic()
    add(tenant)
    # Calls get UNAVAILABLE until the engine runs; the first accepted create must then also finish.
    operation = wait_for(
        when_available(lambda: create_operation(stub, md, tokens)), SERVE_WITHIN, message="create accepted"
    )
    done = wait_final(stub, md, operation.id, timeout=SERVE_WITHIN)
    served_after = time.monotonic() - created_at

    assert served_after < SERVE_WITHIN, f"served only after {served_after:.1f} s"
    assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY
    assert (done.elementCount, done.succeededCount, done.failedCount) == (10, 10, 0)
    assert sorted(h.token for h in recorder.handled(tenant)) == sorted(tokens)
    assert [event.tenant_id for event in service.of(tenant, "start")] == [tenant]


def test_configuration_change_restarts_the_engine_with_the_new_settings(
    make_service: ServiceFactory,
    stubs: Stubs,
    add: Admin,
    zk_admin: KazooClient,
    layout: ZkLayout,
    tenant_ids: TenantIds,
) -> None:
    service = make_service()
    stub, _ = stubs(service)
    tenant = tenant_ids("reconf")
    md = tenant_md(tenant)
    elements, throttle_ms = 40, 50
    add(tenant)
    first = service.running_engine(tenant, ready=True)
    assert first.config.throttle_delay_ms == 0
    baseline = wait_final(stub, md, create_operation(stub, md, [f"a-{i}" for i in range(elements)]).id)
    assert _throttle_waited(tenant) == 0

    configure_tenant(zk_admin, layout, tenant, document_from_options({"throttle_delay_ms": throttle_ms}))
    wait_for(lambda: service.engine(tenant) not in (None, first), 30, message="engine restarted")
    second = service.running_engine(tenant, ready=True)
    assert second.config.throttle_delay_ms == throttle_ms
    # The old engine was stopped before the new one started (never two at once).
    starts, stops = service.of(tenant, "start"), service.of(tenant, "stop")
    assert [e.config.throttle_delay_ms for e in starts] == [0, throttle_ms]
    assert [e.engine_id for e in stops] == [starts[0].engine_id]
    assert service.events.index(stops[0]) < service.events.index(starts[1])

    paced = wait_final(stub, md, create_operation(stub, md, [f"b-{i}" for i in range(elements)]).id)
    assert paced.succeededCount == elements
    # Processed by the new engine (its counter moves just after the outcomes are stored).
    wait_for(lambda: second.consumed_elements == elements, 10, message="elements seen by the new engine")
    # By construction: element k+1 starts throttle_ms after element k, all inside the stored span
    # (the start date is written before any element is published). 2 ms: dates are stored in ms.
    minimum = (elements - 1) * throttle_ms / 1000
    assert span_seconds(paced) >= minimum - 0.002, (span_seconds(paced), minimum)
    # Load-proof discriminator (spans of unpaced runs can exceed the bound on a busy machine too):
    # the processor waited on the throttle only with the new configuration.
    assert _throttle_waited(tenant) > 0, (span_seconds(paced), span_seconds(baseline))


def test_removed_tenant_is_stopped_and_its_calls_get_unavailable(
    make_service: ServiceFactory,
    stubs: Stubs,
    add: Admin,
    zk_admin: KazooClient,
    layout: ZkLayout,
    tenant_ids: TenantIds,
) -> None:
    service = make_service()
    stub, mtm_stub = stubs(service)
    tenant = tenant_ids("gone")
    md = tenant_md(tenant)
    add(tenant)
    engine = service.running_engine(tenant)
    operation = create_operation(stub, md, ["d-1", "d-2"])

    remove_tenant(zk_admin, layout, tenant)
    wait_for(
        lambda: code_of(lambda: get_operation(stub, md, operation.id)) is grpc.StatusCode.UNAVAILABLE,
        15,
        message="calls refused after removal",
    )
    assert code_of(lambda: create_operation(stub, md, ["d-3"])) is grpc.StatusCode.UNAVAILABLE
    assert not engine_available(mtm_stub, tenant)
    wait_for(lambda: service.of(tenant, "stop"), 15, message="engine stopped")
    assert [e.engine_id for e in service.of(tenant, "stop")] == [getattr(engine, "engine_id", None)]
    assert service.manager is not None and tenant not in service.manager.status()


def test_check_tenant_engine_available(
    make_service: ServiceFactory, stubs: Stubs, add: Admin, tenant_ids: TenantIds
) -> None:
    service = make_service()
    _, mtm_stub = stubs(service)
    tenant = tenant_ids("up")
    add(tenant)
    service.running_engine(tenant)
    assert engine_available(mtm_stub, tenant) is True
    assert engine_available(mtm_stub, tenant_ids("unknown")) is False


def _throttle_waited(tenant_id: str) -> float:
    """Seconds the tenant's processor waited on its throttle (the engine's own metric)."""
    value = metrics.REGISTRY.get_sample_value("batchops_throttle_wait_seconds_total", {"tenant": tenant_id})
    return value or 0.0
