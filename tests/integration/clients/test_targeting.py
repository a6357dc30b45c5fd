from __future__ import annotations

import math

import pytest

from batchops.clients import (
    Caller,
    ServiceClients,
    devices_for_assignments,
    devices_in_group,
    devices_of_type,
)
from batchops.domain import InvalidArgument
from batchops.domain.errors import ErrorCode
from batchops.simulator import Fleet, FleetSimulator


@pytest.fixture
def caller(tenant: str) -> Caller:
    return Caller(tenant, "a.jwt.token")


@pytest.mark.parametrize("type_index", [0, 3])
def test_devices_of_type_pages_through_everything(
    clients: ServiceClients, simulator: FleetSimulator, fleet: Fleet, caller: Caller, type_index: int
) -> None:
    token = fleet.device_types[type_index].token
    expected = fleet.devices_of_type(token)
    found = list(devices_of_type(clients.device_management, token, caller, page_size=13))
    assert found == expected
    # Bounded pages only: one call per page (plus the short or empty last one at most).
    assert simulator.calls("ListDevices") <= math.ceil(len(expected) / 13) + 1


def test_streams_are_lazy(
    clients: ServiceClients, simulator: FleetSimulator, fleet: Fleet, caller: Caller
) -> None:
    stream = devices_of_type(clients.device_management, "gateway", caller, page_size=10)
    assert simulator.calls("ListDevices") == 0
    first = [next(stream) for _ in range(10)]
    assert first == fleet.devices_of_type("gateway")[:10]
    assert simulator.calls("ListDevices") == 1


@pytest.mark.parametrize("token", ["", "no-such-type"])
def test_unknown_device_type_is_rejected_with_4060(
    clients: ServiceClients, caller: Caller, token: str
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        devices_of_type(clients.device_management, token, caller)
    assert raised.value.code == ErrorCode.INVALID_DEVICE_TYPE_TOKEN


@pytest.mark.parametrize(
    ("group", "roles"),
    [
        ("grp-01", ()),
        ("grp-02", ("primary",)),
        ("grp-03", ("backup",)),
        ("grp-04", ("primary", "backup")),
        ("grp-nested", ()),
        ("grp-nested", ("primary",)),
        ("grp-nested", ("backup",)),
        ("grp-cycle-a", ()),
        ("grp-cycle-b", ("primary",)),
    ],
)
def test_devices_in_group_match_the_fleet(
    clients: ServiceClients, fleet: Fleet, caller: Caller, group: str, roles: tuple[str, ...]
) -> None:
    found = list(devices_in_group(clients.device_management, group, caller, roles=roles, page_size=7))
    assert len(found) == len(set(found))
    assert set(found) == fleet.devices_in_group(group, roles)


def test_unknown_group_is_rejected(clients: ServiceClients, caller: Caller) -> None:
    with pytest.raises(InvalidArgument, match="no-such-group"):
        devices_in_group(clients.device_management, "no-such-group", caller)


@pytest.mark.parametrize(
    "criteria",
    [
        {"customer_tokens": ["cust-01"]},
        {"customer_tokens": ["cust-01", "cust-02"], "device_type_tokens": ["gateway"]},
        {"area_tokens": ["area-02"]},
        {"asset_tokens": ["asset-03"], "area_tokens": ["area-01", "area-03"]},
        {"device_type_tokens": ["meter", "camera"]},
    ],
)
def test_devices_for_assignments_match_the_fleet(
    clients: ServiceClients, fleet: Fleet, caller: Caller, criteria: dict[str, list[str]]
) -> None:
    found = list(devices_for_assignments(clients.device_management, caller, page_size=9, **criteria))  # type: ignore[arg-type]
    assert len(found) == len(set(found))
    assert set(found) == fleet.devices_for_assignment_criteria(**criteria)  # type: ignore[arg-type]


def test_devices_with_two_matching_assignments_come_once(
    clients: ServiceClients, fleet: Fleet, caller: Caller
) -> None:
    doubles = set(fleet.devices_with_several_active_assignments())
    types = [t.token for t in fleet.device_types]
    found = list(devices_for_assignments(clients.device_management, caller, device_type_tokens=types))
    assert doubles <= set(found)
    assert (
        len(found) == len(set(found)) == len(fleet.devices) - len(fleet.devices_without_active_assignment())
    )


def test_assignment_criteria_are_checked(clients: ServiceClients, caller: Caller) -> None:
    with pytest.raises(InvalidArgument) as raised:
        devices_for_assignments(clients.device_management, caller, device_type_tokens=["nope"])
    assert raised.value.code == ErrorCode.INVALID_DEVICE_TYPE_TOKEN
    with pytest.raises(InvalidArgument, match="At least one"):
        devices_for_assignments(clients.device_management, caller)
