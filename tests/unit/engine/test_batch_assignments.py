"""A batch's active assignments looked up in one call: each device's own list of active
assignment ids picks and orders its assignments, and whatever the answer cannot vouch for is
left to a lookup of its own (None)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from batchops.clients import DeviceManagementClient
from batchops.clients.models import ASSIGNMENT_ACTIVE, Assignment, Device
from batchops.engine.handlers.active_assignments import MAX_PER_DEVICE, PAGE_SIZE, look_up


def device(token: str, assignments: int) -> tuple[Device, list[Assignment]]:
    device_id = uuid.uuid4()
    found = [
        Assignment(uuid.uuid4(), f"{token}-a{n}", device_id, None, ASSIGNMENT_ACTIVE)
        for n in range(assignments)
    ]
    return Device(device_id, token, uuid.uuid4(), tuple(a.id for a in found)), found


class Answers:
    """``list_assignments`` answering from a fixed list, paged, recording each request."""

    def __init__(self, assignments: list[Assignment], total: int | None = None) -> None:
        self._assignments = assignments
        self._total = total
        self.requests: list[dict[str, Any]] = []

    def list_assignments(self, **request: Any) -> tuple[int, list[Assignment]]:
        self.requests.append(request)
        start = (request["page"] - 1) * request["size"]
        total = self._total if self._total is not None else len(self._assignments)
        return total, self._assignments[start : start + request["size"]]


def client(answers: Answers) -> DeviceManagementClient:
    return cast(DeviceManagementClient, answers)


def test_each_device_gets_its_assignments_in_its_own_order() -> None:
    one, one_assignments = device("one", 1)
    two, two_assignments = device("two", 3)
    answers = Answers(list(reversed([*one_assignments, *two_assignments])))  # the server's order
    found = look_up(client(answers), ["one", "two", "one"], tenant_id="t", auth_token=None)
    assert found.of(one) == one_assignments
    assert found.of(two) == two_assignments
    [request] = answers.requests
    assert request["device_tokens"] == ["one", "two"] and request["retry"] is False


def test_what_the_answer_cannot_vouch_for_is_left_to_its_own_lookup() -> None:
    inside, inside_assignments = device("inside", 2)
    outsider, _ = device("outsider", 1)
    answers = Answers(inside_assignments[:1])  # one of its two active assignments is missing
    found = look_up(client(answers), ["inside"], tenant_id="t", auth_token=None)
    assert found.of(inside) is None
    assert found.of(outsider) is None  # not part of the batch
    none, _ = device("none", 0)
    assert look_up(client(Answers([])), ["none"], tenant_id="t", auth_token=None).of(none) == []


def test_an_answer_is_paged_through() -> None:
    many = [device(f"d{i}", 4) for i in range(PAGE_SIZE // 4 + 50)]  # 2 pages of assignments
    answers = Answers([a for _, assignments in many for a in assignments])
    found = look_up(client(answers), [d.token for d, _ in many], tenant_id="t", auth_token=None)
    assert [r["page"] for r in answers.requests] == [1, 2]
    assert all(found.of(d) == assignments for d, assignments in many)


def test_a_server_that_ignores_the_device_filter_is_not_paged_through() -> None:
    one, one_assignments = device("one", 1)
    answers = Answers(one_assignments, total=MAX_PER_DEVICE * 1 + 1)  # the whole tenant's assignments
    found = look_up(client(answers), ["one"], tenant_id="t", auth_token=None)
    assert len(answers.requests) == 1
    assert found.of(one) is None
