"""The three criteria RPCs reach exactly the devices the fleet says match, and refuse clearly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest

from batchops.config import with_overrides
from batchops.devstack import Endpoints
from batchops.simulator import Fault, FleetSimulator
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from support.e2e import Api, api_of, e2e_settings, running_service

PARAMETERS = {"delaySeconds": "3"}


@pytest.fixture
def api(servers: Endpoints, simulator: FleetSimulator, unique_name: str) -> Iterator[Api]:
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    # Small pages: resolution must really page (and a 2,000-device fleet stays quick).
    settings = with_overrides(settings, **{"targeting_page_size": 97})
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        yield api


def by_device_type(api: Api, device_type: str, command: str = "reboot") -> bm.GBatchOperation:
    request = bm.GBatchCommandByDeviceCriteriaCreateRequest(
        commandToken=command, parameterValues=PARAMETERS, deviceTypeToken=device_type
    )
    return _created(
        api.stub.CreateBatchCommandByDeviceCriteria,
        bms.GCreateBatchCommandByDeviceCriteriaRequest(request=request),
        api,
    )


def by_group(api: Api, group: str, roles: list[str]) -> bm.GBatchOperation:
    request = bm.GBatchCommandByGroupCreateRequest(
        commandToken="reboot", parameterValues=PARAMETERS, groupToken=group, roles=roles
    )
    return _created(
        api.stub.CreateBatchCommandByGroup, bms.GCreateBatchCommandByGroupRequest(request=request), api
    )


def by_assignments(api: Api, **criteria: list[str]) -> bm.GBatchOperation:
    request = bm.GBatchCommandByAssignmentCriteriaCreateRequest(
        commandToken="reboot", parameterValues=PARAMETERS
    )
    for name, tokens in criteria.items():
        getattr(request, name).extend(tokens)
    return _created(
        api.stub.CreateBatchCommandByAssignmentCriteria,
        bms.GCreateBatchCommandByAssignmentCriteriaRequest(request=request),
        api,
    )


def _created(rpc: Any, request: Any, api: Api) -> bm.GBatchOperation:
    operation: bm.GBatchOperation = rpc(request, metadata=api.md, timeout=60).batchOperation
    return operation


def targeted(api: Api, operation: bm.GBatchOperation) -> list[str]:
    final = api.wait_finished(operation)
    return [element.deviceToken for element in api.elements(final)]


def check_operation(operation: bm.GBatchOperation, summary: str, expected: set[str]) -> None:
    assert operation.operationType == "BatchCommandInvocation"
    assert dict(operation.parameters) == {"commandToken": "reboot"}
    assert dict(operation.metadata) == PARAMETERS  # command parameter values, as SiteWhere
    assert operation.targetingSummary == summary
    assert operation.deviceTokenCount == len(expected)


def test_device_type(api: Api, simulator: FleetSimulator) -> None:
    expected = set(simulator.fleet.devices_of_type("thermostat"))
    operation = by_device_type(api, "thermostat")
    check_operation(operation, "deviceType=thermostat", expected)
    tokens = targeted(api, operation)
    assert len(tokens) == len(set(tokens)) and set(tokens) == expected


@pytest.mark.parametrize(
    ("group", "roles"), [("grp-01", []), ("grp-nested", ["primary"]), ("grp-cycle-a", ["primary", "backup"])]
)
def test_group(api: Api, simulator: FleetSimulator, group: str, roles: list[str]) -> None:
    expected = simulator.fleet.devices_in_group(group, roles)
    operation = by_group(api, group, roles)
    summary = f"group={group}" + (f" roles={','.join(roles)}" if roles else "")
    check_operation(operation, summary, expected)
    tokens = targeted(api, operation)
    assert len(tokens) == len(set(tokens)) and set(tokens) == expected


def test_assignment_criteria(api: Api, simulator: FleetSimulator) -> None:
    fleet = simulator.fleet
    criteria = {
        "deviceTypeTokens": ["gateway", "meter"],
        "customerTokens": ["cust-01", "cust-02", "cust-03", "cust-04", "cust-05"],
        "areaTokens": ["area-01", "area-02", "area-03", "area-04"],
    }
    expected = fleet.devices_for_assignment_criteria(
        device_type_tokens=criteria["deviceTypeTokens"],
        customer_tokens=criteria["customerTokens"],
        area_tokens=criteria["areaTokens"],
    )
    assert expected
    operation = by_assignments(api, **criteria)
    summary = (
        "assignments deviceTypes=[gateway,meter] customers=[cust-01,cust-02,cust-03,cust-04,cust-05] "
        "areas=[area-01,area-02,area-03,area-04]"
    )
    check_operation(operation, summary, expected)
    tokens = targeted(api, operation)
    assert len(tokens) == len(set(tokens)) and set(tokens) == expected
    # Only active assignments were matched, so every device has one: all succeed.
    final = api.wait_finished(operation)
    assert (final.succeededCount, final.failedCount) == (len(expected), 0)


def test_assets_only(api: Api, simulator: FleetSimulator) -> None:
    expected = simulator.fleet.devices_for_assignment_criteria(asset_tokens=["asset-03"])
    operation = by_assignments(api, assetTokens=["asset-03"])
    check_operation(operation, "assignments assets=[asset-03]", expected)
    assert set(targeted(api, operation)) == expected


def _refused(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code(), caught.value.details() or ""


def test_refusals(api: Api, simulator: FleetSimulator) -> None:
    code, details = _refused(lambda: by_device_type(api, "toaster"))
    assert (code, details) == (grpc.StatusCode.INVALID_ARGUMENT, "4060:Invalid device type token 'toaster'.")
    code, details = _refused(lambda: by_device_type(api, ""))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith("4060:")
    code, details = _refused(lambda: by_assignments(api, deviceTypeTokens=["toaster"]))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith("4060:")
    code, details = _refused(lambda: by_group(api, "grp-missing", []))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and "grp-missing" in details
    code, details = _refused(lambda: by_assignments(api))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    code, details = _refused(lambda: by_device_type(api, "thermostat", command=""))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    # Criteria matching nothing: refused, nothing written.
    code, details = _refused(lambda: by_assignments(api, customerTokens=["cust-nobody"]))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "No devices match" in details
    listed = api.stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=api.md)
    assert listed.results.count == 0
    # Device management down (more failures than the client's attempts): UNAVAILABLE.
    simulator.fail_next(50, Fault.UNAVAILABLE)
    code, details = _refused(lambda: by_device_type(api, "thermostat"))
    assert code == grpc.StatusCode.UNAVAILABLE and "Device management is unavailable" in details


def test_criteria_resolution_survives_unavailable_faults(api: Api, simulator: FleetSimulator) -> None:
    expected = simulator.fleet.devices_in_group("grp-nested", [])
    simulator.configure(unavailable_rate=0.2)
    operation = by_group(api, "grp-nested", [])
    assert set(targeted(api, operation)) == expected
    simulator.configure(unavailable_rate=0.0)
