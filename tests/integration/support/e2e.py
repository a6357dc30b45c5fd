"""The whole service (static tenant engines, real Kafka/MongoDB) in front of a fleet simulator,
and the gRPC reads the end-to-end tests check results with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from pymongo import MongoClient

from batchops.config import Settings
from batchops.devstack import Endpoints, wait_for
from batchops.domain import ElementProcessingStatus
from batchops.ops.views import FINAL_STATUSES, operation_status, uuid_text
from batchops.protocol.convert import ELEMENT_STATUS_TO_WIRE
from batchops.service import BatchOpsService
from batchops.simulator import Fleet, FleetSimulator
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

FINISH_TIMEOUT = 180.0
PAGE_SIZE = 500


def e2e_settings(servers: Endpoints, simulator: FleetSimulator, name: str, tenants: list[str]) -> Settings:
    return Settings(
        mongodb_uri=servers.mongo_uri,
        kafka_bootstrap_servers=servers.kafka_bootstrap,
        zookeeper_hosts=servers.zk_hosts,
        mongodb_tenant_prefix=f"e2e-{name}-",
        instance_id=f"e2e{name}",  # fresh topics for every test
        instance_name=f"e2e-{name}",
        static_tenants=tenants,
        auth_enabled=False,
        device_management_address=simulator.address,
        event_management_address=simulator.address,
        grpc_host="127.0.0.1",
        grpc_port=0,
        log_format="text",
        target_chunk_size=500,
        # Retries fast enough for a test, and plenty of them for the fault-injection case.
        grpc_client_deadline_seconds=5.0,
        grpc_client_max_attempts=8,
        grpc_client_initial_backoff_seconds=0.01,
        grpc_client_max_backoff_seconds=0.1,
    )


@contextmanager
def running_service(servers: Endpoints, settings: Settings) -> Iterator[BatchOpsService]:
    service = BatchOpsService(settings)
    service.start()
    try:
        for tenant, engine in service.static_engines.items():
            assert engine.wait_ready(60), f"engine of {tenant} did not join its consumer groups"
        yield service
    finally:
        service.stop()
        client: MongoClient[dict[str, Any]] = MongoClient(servers.mongo_uri)
        for tenant in settings.instance.static_tenants:
            client.drop_database(settings.mongodb.tenant_prefix + tenant)
        client.close()


@dataclass
class Api:
    """BatchManagement calls as one tenant."""

    stub: Any
    tenant: str

    @property
    def md(self) -> tuple[tuple[str, str], ...]:
        return (("tenant", self.tenant),)

    def invoke(
        self, command: str, devices: list[str], parameters: dict[str, str] | None = None
    ) -> bm.GBatchOperation:
        request = bm.GBatchCommandInvocationCreateRequest(
            commandToken=command, parameters=parameters or {}, deviceTokens=devices
        )
        response = self.stub.CreateBatchCommandInvocation(
            bms.GCreateBatchCommandInvocationRequest(request=request), metadata=self.md, timeout=60
        )
        operation: bm.GBatchOperation = response.batchOperation
        return operation

    def get(self, operation_id: common.GUUID) -> bm.GBatchOperation:
        request = bms.GGetBatchOperationRequest(batchOperationId=operation_id)
        operation: bm.GBatchOperation = self.stub.GetBatchOperation(request, metadata=self.md).batchOperation
        return operation

    # ---- operator control ----

    def pause(self, operation: bm.GBatchOperation, reason: str = "") -> bm.GBatchOperation:
        request = bms.GPauseBatchOperationRequest(batchOperationId=operation.id, reason=reason)
        result: bm.GBatchOperation = self.stub.PauseBatchOperation(request, metadata=self.md).batchOperation
        return result

    def resume(self, operation: bm.GBatchOperation, reason: str = "") -> bm.GBatchOperation:
        request = bms.GResumeBatchOperationRequest(batchOperationId=operation.id, reason=reason)
        result: bm.GBatchOperation = self.stub.ResumeBatchOperation(request, metadata=self.md).batchOperation
        return result

    def cancel(
        self, operation: bm.GBatchOperation, force: bool = False, reason: str = ""
    ) -> bm.GBatchOperation:
        request = bms.GCancelBatchOperationRequest(batchOperationId=operation.id, force=force, reason=reason)
        result: bm.GBatchOperation = self.stub.CancelBatchOperation(
            request, metadata=self.md, timeout=60
        ).batchOperation
        return result

    def retry(
        self,
        operation: bm.GBatchOperation,
        statuses: list[ElementProcessingStatus] | None = None,
        error_contains: str = "",
    ) -> bms.GRetryBatchOperationResponse:
        request = bms.GRetryBatchOperationRequest(
            batchOperationId=operation.id,
            statuses=[ELEMENT_STATUS_TO_WIRE[s] for s in statuses or []],  # type: ignore[misc]
            errorContains=error_contains,
        )
        response: bms.GRetryBatchOperationResponse = self.stub.RetryBatchOperation(
            request, metadata=self.md, timeout=60
        )
        return response

    def wait_status(
        self, operation: bm.GBatchOperation, status: int, timeout: float = FINISH_TIMEOUT
    ) -> bm.GBatchOperation:
        """Poll until the operation shows ``status`` (a wire value)."""

        def reached() -> bm.GBatchOperation | None:
            current = self.get(operation.id)
            return current if current.processingStatus == status else None

        return wait_for(
            reached, timeout, interval=0.1, message=f"operation {operation.token} in status {status}"
        )

    def count(self, operation: bm.GBatchOperation, status: ElementProcessingStatus) -> int:
        """How many of the operation's elements are in ``status`` right now (one small read)."""
        criteria = bm.GBatchElementSearchCriteria(paging=common.GPaging(pageNumber=1, pageSize=1))
        criteria.processingStatusFilter.processingStatus = ELEMENT_STATUS_TO_WIRE[status]  # type: ignore[assignment]
        request = bms.GListBatchElementsRequest(batchOperationId=operation.id, criteria=criteria)
        return int(self.stub.ListBatchElements(request, metadata=self.md).results.count)

    def wait_finished(self, operation: bm.GBatchOperation) -> bm.GBatchOperation:
        def finished() -> bm.GBatchOperation | None:
            current = self.get(operation.id)
            return current if operation_status(current) in FINAL_STATUSES else None

        return wait_for(
            finished, FINISH_TIMEOUT, interval=0.2, message=f"operation {operation.token} finished"
        )

    def elements(
        self, operation: bm.GBatchOperation, status: ElementProcessingStatus | None = None
    ) -> list[bm.GBatchElement]:
        """Every element (of a status), paging through ListBatchElements."""
        found: list[bm.GBatchElement] = []
        page = 1
        while True:
            criteria = bm.GBatchElementSearchCriteria(
                paging=common.GPaging(pageNumber=page, pageSize=PAGE_SIZE)
            )
            if status is not None:
                criteria.processingStatusFilter.processingStatus = ELEMENT_STATUS_TO_WIRE[status]  # type: ignore[assignment]
            request = bms.GListBatchElementsRequest(batchOperationId=operation.id, criteria=criteria)
            results = self.stub.ListBatchElements(request, metadata=self.md).results
            found.extend(results.batchElements)
            if len(results.batchElements) < PAGE_SIZE:
                assert len(found) == results.count
                return found
            page += 1


@contextmanager
def api_of(service: BatchOpsService, tenant: str) -> Iterator[Api]:
    with grpc.insecure_channel(f"127.0.0.1:{service.port}") as channel:
        yield Api(batch_management_pb2_grpc.BatchManagementStub(channel), tenant)  # type: ignore[no-untyped-call]


def expected_errors(fleet: Fleet, devices: list[str], command: str) -> dict[str, str | None]:
    """What the BatchCommandInvocation handler should make of each device: None for success,
    else the element's error message (checked in the handler's order)."""
    outcome: dict[str, str | None] = {}
    for token in devices:
        device = fleet.device_by_token.get(token)
        if device is None:
            outcome[token] = f"unknown device token '{token}'"
        elif (device.device_type_id, command) not in fleet.command_by_type_and_token:
            type_token = fleet.type_by_id[device.device_type_id].token
            outcome[token] = f"Invalid command token ({command}) for device type '{type_token}'"
        elif not device.active_assignments:
            outcome[token] = f"device '{token}' has no active assignment"
        else:
            outcome[token] = None
    return outcome


def check_results(
    api: Api,
    simulator: FleetSimulator,
    operation: bm.GBatchOperation,
    expected: dict[str, str | None],
    parameters: dict[str, str],
) -> None:
    """Counts, failure reasons, and exactly one matching invocation per succeeded element."""
    final = api.wait_finished(operation)
    succeeded = {token for token, error in expected.items() if error is None}
    assert final.elementCount == len(expected)  # one element per distinct device token
    assert (final.succeededCount, final.failedCount) == (len(succeeded), len(expected) - len(succeeded))
    failed = api.elements(final, ElementProcessingStatus.FAILED)
    assert {e.deviceToken: e.errorMessage for e in failed} == {
        token: error for token, error in expected.items() if error is not None
    }
    done = {e.deviceToken: e for e in api.elements(final, ElementProcessingStatus.SUCCEEDED)}
    assert set(done) == succeeded

    operation_id = uuid_text(final.id)
    mine = [i for i in simulator.invocations(api.tenant) if i.request.initiator_id == operation_id]
    assert simulator.duplicates(api.tenant) == 0
    assert len(mine) == len(succeeded)
    by_device = {i.device_token: i for i in mine}
    assert set(by_device) == succeeded  # one each, none for a failed element
    command = final.parameters["commandToken"]
    for token, invocation in by_device.items():
        device = simulator.fleet.device_by_token[token]
        assert invocation.request.command_token == command
        assert dict(invocation.request.parameters) == parameters
        assert (invocation.request.initiator, invocation.request.target) == (
            "CMD_INITIATOR_BATCH_OPERATION",
            "CMD_TARGET_ASSIGNMENT",
        )
        assert invocation.assignment_token == invocation.request.target_id
        assert invocation.assignment_token in {a.token for a in device.active_assignments}
        assert dict(invocation.request.metadata) == {"batch": final.token}
        assert done[token].metadata["invocation"] == invocation.invocation_id
