from __future__ import annotations

import pytest

from batchops.simulator import AssignmentStatus, Fleet
from batchops.simulator.convert import page_of
from batchops.wire import sitewhere_common_pb2 as common


def fingerprint(fleet: Fleet) -> list[tuple[str, ...]]:
    rows = [
        (str(d.id), d.token, str(d.device_type_id), *(a.token for a in d.assignments)) for d in fleet.devices
    ]
    rows += [
        (str(g.id), g.token, *(str(e.device_id or e.nested_group_id) for e in g.elements))
        for g in fleet.groups
    ]
    rows += [(str(c.id), c.token) for t in fleet.device_types for c in t.commands]
    return rows


def test_same_seed_and_size_give_the_same_fleet() -> None:
    assert fingerprint(Fleet.generate(42, 500)) == fingerprint(Fleet.generate(42, 500))


def test_another_seed_gives_another_fleet() -> None:
    assert fingerprint(Fleet.generate(1, 500)) != fingerprint(Fleet.generate(2, 500))


def test_tokens_shares_and_assignments() -> None:
    fleet = Fleet.generate(7, 1000)
    assert fleet.devices[0].token == "dev-000001" and fleet.devices[-1].token == "dev-001000"
    assert len(fleet.devices_without_active_assignment()) == 100
    assert len(fleet.devices_with_several_active_assignments()) == 50
    assert all(len(d.active_assignments) <= 2 for d in fleet.devices)
    assert any(a.status is AssignmentStatus.RELEASED for a in fleet.assignments)
    assert len(fleet.device_types) == 5
    assert sum(len(fleet.devices_of_type(t.token)) for t in fleet.device_types) == 1000


def test_shares_are_configurable() -> None:
    fleet = Fleet.generate(7, 200, unassigned_share=0.5, double_assigned_share=0.0, device_types=2)
    assert len(fleet.devices_without_active_assignment()) == 100
    assert fleet.devices_with_several_active_assignments() == []
    assert len(fleet.device_types) == 2


def test_every_type_has_the_basic_commands_and_tokens_repeat_across_types() -> None:
    fleet = Fleet.generate(3, 100)
    for device_type in fleet.device_types:
        assert {"ping", "reboot", "setInterval"} <= {c.token for c in device_type.commands}
    pings = {c.id for (type_id, token), c in fleet.command_by_type_and_token.items() if token == "ping"}
    assert len(pings) == 5
    # Some command exists for one type and not another.
    assert {c.token for c in fleet.device_types[0].commands} != {
        c.token for c in fleet.device_types[1].commands
    }


def test_nested_groups_and_cycles_resolve() -> None:
    fleet = Fleet.generate(5, 1000)
    first, second = fleet.groups[0], fleet.groups[1]
    nested = fleet.devices_in_group("grp-nested")
    assert fleet.devices_in_group(first.token) | fleet.devices_in_group(second.token) <= nested
    cycle = fleet.devices_in_group("grp-cycle-a")
    assert cycle == fleet.devices_in_group("grp-cycle-b")
    assert 0 < len(cycle) <= 10


def test_role_filter_applies_at_every_level() -> None:
    fleet = Fleet.generate(5, 1000)
    group = fleet.groups[0]
    primary = {
        fleet.device_by_id[e.device_id].token for e in group.elements if e.device_id and "primary" in e.roles
    }
    assert fleet.devices_in_group(group.token, ["primary"]) == primary
    # grp-nested reaches grp-01 via a "primary" element and grp-02 via "backup".
    nested_primary = fleet.devices_in_group("grp-nested", ["primary"])
    assert primary <= nested_primary
    second_backup_only = fleet.devices_in_group(fleet.groups[1].token, ["backup"]) - nested_primary
    assert second_backup_only  # grp-02 is not followed for "primary"


def test_assignment_criteria() -> None:
    fleet = Fleet.generate(9, 1000)
    customer = fleet.customers[0].token
    expected = {
        fleet.device_by_id[a.device_id].token
        for a in fleet.assignments
        if a.customer.token == customer and a.status is AssignmentStatus.ACTIVE
    }
    assert fleet.devices_for_assignment_criteria(customer_tokens=[customer]) == expected
    both = fleet.devices_for_assignment_criteria(customer_tokens=[customer], device_type_tokens=["gateway"])
    assert both == expected & set(fleet.devices_of_type("gateway"))
    assert fleet.devices_for_assignment_criteria(device_type_tokens=["no-such-type"]) == set()


def test_page_of_follows_sitewhere_paging() -> None:
    items = list(range(10))
    assert page_of(items, common.GPaging(pageNumber=2, pageSize=4)) == [4, 5, 6, 7]
    assert page_of(items, common.GPaging(pageNumber=3, pageSize=4)) == [8, 9]
    assert page_of(items, common.GPaging(pageNumber=9, pageSize=4)) == []
    assert page_of(items, common.GPaging(pageNumber=0, pageSize=3)) == [0, 1, 2]
    assert page_of(items, common.GPaging(pageNumber=1, pageSize=0)) == items


@pytest.mark.parametrize("size", [1, 2, 15])
def test_tiny_fleets_still_generate(size: int) -> None:
    fleet = Fleet.generate(1, size)
    assert len(fleet.devices) == size
    assert fleet.group_by_token["grp-nested"].elements
