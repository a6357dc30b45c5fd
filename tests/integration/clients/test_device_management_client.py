from __future__ import annotations

import uuid

import grpc
import pytest

from batchops.clients import ChannelPool, ClientError, ServiceClients
from batchops.simulator import AssignmentStatus, Fleet, FleetSimulator
from batchops.wire import device_management_pb2 as dms
from batchops.wire import device_management_pb2_grpc as dms_grpc


def test_device_lookups(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    dm = clients.device_management
    expected = fleet.devices_with_several_active_assignments()[0]
    source = fleet.device_by_token[expected]
    device = dm.get_device_by_token(expected, tenant_id=tenant)
    assert device is not None
    assert (device.id, device.token, device.device_type_id) == (
        source.id,
        source.token,
        source.device_type_id,
    )
    assert device.active_assignment_ids == tuple(a.id for a in source.active_assignments)
    assert dm.get_device(source.id, tenant_id=tenant) == device


def test_unknown_entities_are_none(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    dm = clients.device_management
    some_type = fleet.device_types[0]
    assert dm.get_device_by_token("no-such-device", tenant_id=tenant) is None
    assert dm.get_device(some_type.id, tenant_id=tenant) is None  # an id, but not a device's
    assert dm.get_device_type_by_token("no-such-type", tenant_id=tenant) is None
    assert dm.get_command_by_token(some_type.id, "no-such-command", tenant_id=tenant) is None
    assert dm.get_group_by_token("no-such-group", tenant_id=tenant) is None
    assert dm.get_assignment_by_token("no-such-assignment", tenant_id=tenant) is None
    assert dm.get_active_assignments(some_type.id, tenant_id=tenant) == []


def test_types_and_commands_per_type(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    dm = clients.device_management
    first, second = fleet.device_types[:2]
    by_token = dm.get_device_type_by_token(first.token, tenant_id=tenant)
    assert by_token is not None and by_token.id == first.id
    assert dm.get_device_type(first.id, tenant_id=tenant) == by_token
    ping_first = dm.get_command_by_token(first.id, "ping", tenant_id=tenant)
    ping_second = dm.get_command_by_token(second.id, "ping", tenant_id=tenant)
    assert ping_first is not None and ping_second is not None
    assert ping_first.id != ping_second.id and ping_first.device_type_id == first.id
    total, commands = dm.list_commands(first.token, 1, 100, tenant_id=tenant)
    assert total == len(first.commands) and [c.token for c in commands] == [c.token for c in first.commands]


def test_active_assignments(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    dm = clients.device_management
    double = fleet.device_by_token[fleet.devices_with_several_active_assignments()[0]]
    assignments = dm.get_active_assignments(double.id, tenant_id=tenant)
    assert [a.token for a in assignments] == [a.token for a in double.active_assignments]
    assert all(a.active and a.device_id == double.id for a in assignments)
    lonely = fleet.device_by_token[fleet.devices_without_active_assignment()[0]]
    assert dm.get_active_assignments(lonely.id, tenant_id=tenant) == []


def test_list_devices_pages(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    device_type = fleet.device_types[2]
    expected = fleet.devices_of_type(device_type.token)
    seen: list[str] = []
    page = 1
    while True:
        total, tokens = clients.device_management.list_devices(device_type.token, page, 7, tenant_id=tenant)
        assert total == len(expected)
        if not tokens:
            break
        assert len(tokens) <= 7
        seen += tokens
        page += 1
    assert seen == expected


def test_groups_and_elements(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    dm = clients.device_management
    nested = fleet.group_by_token["grp-nested"]
    group = dm.get_group_by_token("grp-nested", tenant_id=tenant)
    assert group is not None and group.id == nested.id and group.roles == nested.roles
    assert dm.get_group(nested.id, tenant_id=tenant) == group
    total, first = dm.list_group_elements(nested.id, 1, 3, tenant_id=tenant)
    _, rest = dm.list_group_elements(nested.id, 2, 3, tenant_id=tenant)
    assert total == len(nested.elements) == len(first) + len(rest)
    elements = first + rest
    assert [(e.device_id, e.nested_group_id, e.roles) for e in elements] == [
        (e.device_id, e.nested_group_id, e.roles) for e in nested.elements
    ]


def test_list_assignments_with_criteria(clients: ServiceClients, fleet: Fleet, tenant: str) -> None:
    area, customer = fleet.areas[0].token, fleet.customers[1].token
    expected = fleet.matching_assignments(
        area_tokens=[area], customer_tokens=[customer], statuses=[AssignmentStatus.ACTIVE]
    )
    total, found = clients.device_management.list_assignments(
        area_tokens=[area], customer_tokens=[customer], page=1, size=1000, tenant_id=tenant
    )
    assert total == len(expected) > 0
    assert [a.token for a in found] == [a.token for a in expected]
    released, _ = clients.device_management.list_assignments(
        statuses=[3], device_type_tokens=[fleet.device_types[0].token], page=1, size=1, tenant_id=tenant
    )
    assert released == len(
        fleet.matching_assignments(
            device_type_tokens=[fleet.device_types[0].token], statuses=[AssignmentStatus.RELEASED]
        )
    )


def test_paging_arguments_are_never_unbounded(clients: ServiceClients, tenant: str) -> None:
    with pytest.raises(ValueError):
        clients.device_management.list_devices("gateway", 1, 0, tenant_id=tenant)


def test_calls_without_tenant_are_refused_by_the_simulator(simulator: FleetSimulator) -> None:
    with grpc.insecure_channel(simulator.address) as channel:
        stub = dms_grpc.DeviceManagementStub(channel)
        with pytest.raises(grpc.RpcError) as raised:
            stub.GetDeviceByToken(dms.GGetDeviceByTokenRequest(token="dev-000001"), timeout=5)
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]


def test_unknown_assignment_is_not_found_and_not_retried(
    clients: ServiceClients, simulator: FleetSimulator, tenant: str
) -> None:
    with pytest.raises(ClientError) as raised:
        clients.event_management.add_command_invocation(
            uuid.uuid4(),
            command_token="ping",
            initiator_id="x",
            target_id="x",
            parameter_values={},
            metadata={},
            tenant_id=tenant,
        )
    assert raised.value.code == grpc.StatusCode.NOT_FOUND and raised.value.attempts == 1
    assert simulator.calls("AddCommandInvocations") == 1


def test_a_tenant_is_required(clients: ServiceClients) -> None:
    with pytest.raises(ValueError):
        clients.device_management.get_device_by_token("dev-000001", tenant_id="")


def test_one_channel_per_address(simulator: FleetSimulator) -> None:
    with ChannelPool() as pool:
        assert pool.channel(simulator.address) is pool.channel(simulator.address)
        assert pool.channel(simulator.address) is not pool.channel(f"localhost:{simulator.port}")
