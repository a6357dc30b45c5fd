"""Three tenants' engines process operations at the same time, each with exactly its own elements."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc

from batchops.devstack import wait_for
from batchops.protocol.convert import uuid_from_wire
from batchops.wire import batch_management_pb2 as bms
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
    get_operation,
    list_element_tokens,
    wait_final,
)


def test_three_tenants_process_at_the_same_time_with_separate_results(
    make_service: ServiceFactory, stubs: Stubs, add: Admin, tenant_ids: TenantIds, recorder: TenantRecorder
) -> None:
    service = make_service()
    stub, _ = stubs(service)
    sizes = {tenant_ids("a"): 120, tenant_ids("b"): 160, tenant_ids("c"): 200}
    tokens = {tenant: [f"{tenant}-dev-{i:03d}" for i in range(size)] for tenant, size in sizes.items()}
    for tenant in sizes:
        add(tenant)
    for tenant in sizes:
        service.running_engine(tenant)

    # Every operation's elements wait at one gate: opening it only once all three tenants have
    # elements waiting proves the three engines were processing at the same time.
    gate = recorder.gate("together")

    def create(tenant: str) -> Any:
        return create_operation(
            stub, tenant_md(tenant), tokens[tenant], token="same-token", parameters={"gate": "together"}
        )

    with ThreadPoolExecutor(len(sizes)) as pool:
        operations = dict(zip(sizes, pool.map(create, sizes), strict=True))
    wait_for(
        lambda: all(recorder.waiting(tenant) > 0 for tenant in sizes),
        30,
        message="elements of all three tenants in flight",
    )
    gate.set()

    for tenant, size in sizes.items():
        md = tenant_md(tenant)
        done = wait_final(stub, md, operations[tenant].id)
        assert done.processingStatus == bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY, tenant
        assert (done.elementCount, done.succeededCount, done.failedCount) == (size, size, 0), tenant
        assert sorted(list_element_tokens(stub, md, done.id)) == tokens[tenant]
        # The handler ran once per element, in this tenant's context, for this tenant's operation.
        handled = recorder.handled(tenant)
        assert sorted(h.token for h in handled) == tokens[tenant]
        assert {h.operation_id for h in handled} == {str(uuid_from_wire(operations[tenant].id, "id"))}
        # Same operation token in each tenant: each resolves to its own operation.
        by_token = stub.GetBatchOperationByToken(
            bms.GGetBatchOperationByTokenRequest(token="same-token"), metadata=md
        ).batchOperation
        assert by_token.id == operations[tenant].id
        listed = stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=md).results
        assert [op.id for op in listed.batchOperations] == [operations[tenant].id]
    assert len(recorder.handled()) == sum(sizes.values())

    # Another tenant's operation id is not found in this one.
    a, b, _ = sizes
    assert code_of(lambda: get_operation(stub, tenant_md(a), operations[b].id)) is grpc.StatusCode.NOT_FOUND
