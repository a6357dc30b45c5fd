"""A synthetic fleet, generated deterministically from a seed and a size. Pure data, no I/O.

It also answers the questions tests ask to compute an expected result (devices of a type, in a
group with roles, matching assignment criteria, without an active assignment).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

TYPE_TOKENS = ("thermostat", "gateway", "tracker", "meter", "camera")
_IdFactory = Callable[[], uuid.UUID]

ROLE_CHOICES: tuple[tuple[str, ...], ...] = (("primary",), ("backup",), ("primary", "backup"), ())


class AssignmentStatus(Enum):
    ACTIVE = "active"
    RELEASED = "released"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # "int32", "double", "string", "bool"
    required: bool


@dataclass(frozen=True)
class Command:
    id: uuid.UUID
    token: str
    name: str
    device_type_id: uuid.UUID
    parameters: tuple[Parameter, ...] = ()
    namespace: str = "http://sitewhere/batchops/sim"


@dataclass(frozen=True)
class DeviceType:
    id: uuid.UUID
    token: str
    name: str
    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Entity:
    """An area, customer or asset: only id and token matter here."""

    id: uuid.UUID
    token: str


@dataclass(frozen=True)
class Assignment:
    id: uuid.UUID
    token: str
    device_id: uuid.UUID
    device_type_id: uuid.UUID
    customer: Entity
    area: Entity
    asset: Entity
    status: AssignmentStatus


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    token: str
    device_type_id: uuid.UUID
    assignments: tuple[Assignment, ...] = ()

    @property
    def active_assignments(self) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.status is AssignmentStatus.ACTIVE)


@dataclass(frozen=True)
class GroupElement:
    id: uuid.UUID
    device_id: uuid.UUID | None = None
    nested_group_id: uuid.UUID | None = None
    roles: tuple[str, ...] = ()


@dataclass
class Group:
    id: uuid.UUID
    token: str
    name: str
    roles: tuple[str, ...]
    elements: list[GroupElement] = field(default_factory=list)


def _command_specs() -> list[tuple[str, tuple[Parameter, ...]]]:
    return [
        ("ping", ()),
        ("reboot", (Parameter("delaySeconds", "int32", False),)),
        ("setInterval", (Parameter("seconds", "int32", True),)),
        ("setThreshold", (Parameter("value", "double", True), Parameter("unit", "string", False))),
        ("firmwareUpdate", (Parameter("url", "string", True), Parameter("version", "string", True))),
    ]


class Fleet:
    """Build with ``Fleet.generate``; read-only afterwards (the servers share it across threads)."""

    def __init__(
        self,
        device_types: Sequence[DeviceType],
        devices: Sequence[Device],
        groups: Sequence[Group],
        areas: Sequence[Entity],
        customers: Sequence[Entity],
        assets: Sequence[Entity],
    ) -> None:
        self.device_types = tuple(device_types)
        self.devices = tuple(devices)  # sorted by token
        self.groups = tuple(groups)
        self.areas, self.customers, self.assets = tuple(areas), tuple(customers), tuple(assets)
        self.type_by_id = {t.id: t for t in self.device_types}
        self.type_by_token = {t.token: t for t in self.device_types}
        self.command_by_id = {c.id: c for t in self.device_types for c in t.commands}
        self.command_by_type_and_token = {(c.device_type_id, c.token): c for c in self.command_by_id.values()}
        self.device_by_id = {d.id: d for d in self.devices}
        self.device_by_token = {d.token: d for d in self.devices}
        self.assignments = tuple(
            sorted((a for d in self.devices for a in d.assignments), key=lambda a: a.token)
        )
        self.assignment_by_id = {a.id: a for a in self.assignments}
        self.assignment_by_token = {a.token: a for a in self.assignments}
        self.group_by_id = {g.id: g for g in self.groups}
        self.group_by_token = {g.token: g for g in self.groups}
        self.devices_by_type: dict[uuid.UUID, list[Device]] = {t.id: [] for t in self.device_types}
        for device in self.devices:
            self.devices_by_type[device.device_type_id].append(device)

    @classmethod
    def generate(
        cls,
        seed: int = 1,
        size: int = 1000,
        *,
        device_types: int = 5,
        unassigned_share: float = 0.10,
        double_assigned_share: float = 0.05,
        released_share: float = 0.05,
    ) -> Fleet:
        """The same (seed, size, options) always yields the same fleet, ids included. Shares are
        exact counts (rounded), drawn without replacement."""
        if size < 1 or device_types < 1:
            raise ValueError("a fleet needs at least one device and one device type")
        if not 0 <= unassigned_share + double_assigned_share <= 1:
            raise ValueError("unassigned_share + double_assigned_share must lie in [0, 1]")
        rng = random.Random(seed)

        def new_id() -> uuid.UUID:
            return uuid.UUID(int=rng.getrandbits(128), version=4)

        types = _generate_types(device_types, new_id)
        areas = [Entity(new_id(), f"area-{i:02d}") for i in range(1, _scaled(size, 200, 3, 20) + 1)]
        customers = [Entity(new_id(), f"cust-{i:02d}") for i in range(1, _scaled(size, 100, 3, 40) + 1)]
        assets = [Entity(new_id(), f"asset-{i:02d}") for i in range(1, _scaled(size, 100, 3, 40) + 1)]

        indexes = list(range(size))
        unassigned = set(rng.sample(indexes, round(size * unassigned_share)))
        assigned = [i for i in indexes if i not in unassigned]
        double = set(rng.sample(assigned, min(len(assigned), round(size * double_assigned_share))))
        released = set(rng.sample(indexes, round(size * released_share)))
        width = max(6, len(str(size)))

        devices: list[Device] = []
        for index in indexes:
            token = f"dev-{index + 1:0{width}d}"
            device_id, device_type = new_id(), rng.choice(types)
            statuses = [AssignmentStatus.RELEASED] if index in released else []
            if index not in unassigned:
                statuses.append(AssignmentStatus.ACTIVE)
            if index in double:
                statuses.append(AssignmentStatus.ACTIVE)
            assignments = tuple(
                Assignment(
                    new_id(),
                    f"asg-{token[4:]}-{n}",
                    device_id,
                    device_type.id,
                    rng.choice(customers),
                    rng.choice(areas),
                    rng.choice(assets),
                    status,
                )
                for n, status in enumerate(statuses, start=1)
            )
            devices.append(Device(device_id, token, device_type.id, assignments))

        groups = _generate_groups(rng, new_id, devices)
        return cls(types, devices, groups, areas, customers, assets)

    # Questions tests ask.

    def devices_of_type(self, device_type_token: str) -> list[str]:
        device_type = self.type_by_token[device_type_token]
        return [d.token for d in self.devices_by_type[device_type.id]]

    def devices_in_group(self, group_token: str, roles: Iterable[str] = ()) -> set[str]:
        """Same rule as the targeting stream: with roles, an element (device or nested group) is
        followed only if it has one of them, at every level; each group is expanded once."""
        wanted = frozenset(roles)
        start = self.group_by_token[group_token]
        pending, visited, found = [start.id], {start.id}, set()
        while pending:
            for element in self.group_by_id[pending.pop()].elements:
                if wanted and wanted.isdisjoint(element.roles):
                    continue
                if element.device_id is not None:
                    found.add(self.device_by_id[element.device_id].token)
                if element.nested_group_id is not None and element.nested_group_id not in visited:
                    visited.add(element.nested_group_id)
                    pending.append(element.nested_group_id)
        return found

    def matching_assignments(
        self,
        *,
        device_type_tokens: Iterable[str] = (),
        customer_tokens: Iterable[str] = (),
        area_tokens: Iterable[str] = (),
        asset_tokens: Iterable[str] = (),
        device_tokens: Iterable[str] = (),
        statuses: Iterable[AssignmentStatus] = (),
    ) -> list[Assignment]:
        """Assignments matching every non-empty criterion, in token order."""
        type_tokens, wanted_devices = list(device_type_tokens), list(device_tokens)
        type_ids = {self.type_by_token[t].id for t in type_tokens if t in self.type_by_token}
        device_ids = {self.device_by_token[t].id for t in wanted_devices if t in self.device_by_token}
        customers, areas, assets = set(customer_tokens), set(area_tokens), set(asset_tokens)
        wanted_statuses = set(statuses)
        # Asked for given devices (a batch's lookup): only theirs, not a scan of the whole fleet.
        candidates = (
            sorted((a for d in device_ids for a in self.device_by_id[d].assignments), key=lambda a: a.token)
            if wanted_devices
            else self.assignments
        )
        return [
            a
            for a in candidates
            if (not type_tokens or a.device_type_id in type_ids)
            and (not customers or a.customer.token in customers)
            and (not areas or a.area.token in areas)
            and (not assets or a.asset.token in assets)
            and (not wanted_devices or a.device_id in device_ids)
            and (not wanted_statuses or a.status in wanted_statuses)
        ]

    def devices_for_assignment_criteria(
        self,
        *,
        device_type_tokens: Iterable[str] = (),
        customer_tokens: Iterable[str] = (),
        area_tokens: Iterable[str] = (),
        asset_tokens: Iterable[str] = (),
        active_only: bool = True,
    ) -> set[str]:
        statuses = (AssignmentStatus.ACTIVE,) if active_only else ()
        matches = self.matching_assignments(
            device_type_tokens=device_type_tokens,
            customer_tokens=customer_tokens,
            area_tokens=area_tokens,
            asset_tokens=asset_tokens,
            statuses=statuses,
        )
        return {self.device_by_id[a.device_id].token for a in matches}

    def devices_without_active_assignment(self) -> list[str]:
        return [d.token for d in self.devices if not d.active_assignments]

    def devices_with_several_active_assignments(self) -> list[str]:
        return [d.token for d in self.devices if len(d.active_assignments) > 1]

    def device_type_of(self, device_token: str) -> DeviceType:
        return self.type_by_id[self.device_by_token[device_token].device_type_id]

    def summary(self) -> str:
        lines = [f"{len(self.devices)} devices, {len(self.assignments)} assignments"]
        for device_type in self.device_types:
            commands = ", ".join(c.token for c in device_type.commands)
            count = len(self.devices_by_type[device_type.id])
            lines.append(f"  type {device_type.token} ({count} devices): {commands}")
        for group in self.groups:
            nested = sum(1 for e in group.elements if e.nested_group_id is not None)
            lines.append(f"  group {group.token}: {len(group.elements)} elements ({nested} nested groups)")
        lines.append(f"  without active assignment: {len(self.devices_without_active_assignment())}")
        lines.append(
            f"  with several active assignments: {len(self.devices_with_several_active_assignments())}"
        )
        return "\n".join(lines)


def _scaled(size: int, per: int, low: int, high: int) -> int:
    return max(low, min(high, size // per))


def _generate_types(count: int, new_id: _IdFactory) -> list[DeviceType]:
    specs = _command_specs()
    types: list[DeviceType] = []
    for index in range(count):
        token = TYPE_TOKENS[index] if index < len(TYPE_TOKENS) else f"type-{index + 1}"
        type_id = new_id()
        # Every type has ping/reboot/setInterval; the others are spread out, so some command
        # tokens exist for one type and not another (and the same token names several commands).
        chosen = specs[:3] + [spec for n, spec in enumerate(specs[3:]) if (index + n) % 2 == 0]
        commands = tuple(Command(new_id(), name, name, type_id, params) for name, params in chosen)
        types.append(DeviceType(type_id, token, f"{token.title()} devices", commands))
    return types


def _generate_groups(rng: random.Random, new_id: _IdFactory, devices: Sequence[Device]) -> list[Group]:
    """Plain groups with role-tagged members, a group nesting two of them (plus a device already in
    one of them), and two groups nesting each other (a cycle)."""
    count = _scaled(len(devices), 100, 3, 20)
    member_count = max(1, min(500, len(devices) // 10))
    groups: list[Group] = []
    for index in range(1, count + 1):
        group = Group(new_id(), f"grp-{index:02d}", f"Group {index}", ("site",))
        for device in rng.sample(list(devices), min(member_count, len(devices))):
            group.elements.append(GroupElement(new_id(), device_id=device.id, roles=rng.choice(ROLE_CHOICES)))
        groups.append(group)

    nested = Group(new_id(), "grp-nested", "Nested groups", ("region",))
    nested.elements.append(GroupElement(new_id(), nested_group_id=groups[0].id, roles=("primary",)))
    nested.elements.append(GroupElement(new_id(), nested_group_id=groups[1].id, roles=("backup",)))
    overlap = next(e for e in groups[0].elements if e.device_id is not None)
    nested.elements.append(GroupElement(new_id(), device_id=overlap.device_id, roles=("primary",)))
    nested.elements.append(GroupElement(new_id(), device_id=devices[0].id, roles=("backup",)))

    cycle_a = Group(new_id(), "grp-cycle-a", "Cycle A", ())
    cycle_b = Group(new_id(), "grp-cycle-b", "Cycle B", ())
    cycle_a.elements.append(GroupElement(new_id(), nested_group_id=cycle_b.id, roles=("primary",)))
    cycle_b.elements.append(GroupElement(new_id(), nested_group_id=cycle_a.id, roles=("primary",)))
    for group in (cycle_a, cycle_b):
        for device in rng.sample(list(devices), min(5, len(devices))):
            group.elements.append(GroupElement(new_id(), device_id=device.id, roles=rng.choice(ROLE_CHOICES)))
    return [*groups, nested, cycle_a, cycle_b]
