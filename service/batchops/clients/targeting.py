"""Criteria -> device tokens, as streams that page through device management.

Every resolver checks its criteria at call time (raising ``InvalidArgument`` before anything is
streamed), then returns a generator that holds one page at a time plus the set of devices already
yielded: tokens are unique *within the stream*. Uniqueness across the whole operation is also
enforced by the store's unique index on (operation, device), so a device seen twice (pages shifting
under concurrent changes, a device in two nested groups) is never processed twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from batchops.clients.models import ASSIGNMENT_ACTIVE, Assignment, GroupElement
from batchops.domain import InvalidArgument
from batchops.domain.errors import ErrorCode

if TYPE_CHECKING:  # an annotation only: at run time this module must load while that one does
    from batchops.clients.device_management import DeviceManagementClient

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 500

T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """Who is asking: passed on every call."""

    tenant_id: str
    auth_token: str | None = None


def _pages(fetch: Callable[[int], tuple[int, list[T]]], size: int) -> Iterator[list[T]]:
    """Pages 1, 2, ... until a short page or the announced total is reached."""
    page, seen = 1, 0
    while True:
        total, items = fetch(page)
        if items:
            yield items
        seen += len(items)
        if len(items) < size or seen >= total:
            return
        page += 1


def devices_of_type(
    client: DeviceManagementClient,
    device_type_token: str,
    caller: Caller,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Iterator[str]:
    """Tokens of every device of a device type."""
    if not device_type_token:
        raise InvalidArgument("A device type token is required.", ErrorCode.INVALID_DEVICE_TYPE_TOKEN)
    _require_device_type(client, device_type_token, caller)

    def stream() -> Iterator[str]:
        seen: set[str] = set()

        def fetch(page: int) -> tuple[int, list[str]]:
            return client.list_devices(
                device_type_token, page, page_size, tenant_id=caller.tenant_id, auth_token=caller.auth_token
            )

        for items in _pages(fetch, page_size):
            for token in items:
                if token not in seen:
                    seen.add(token)
                    yield token

    return stream()


def devices_in_group(
    client: DeviceManagementClient,
    group_token: str,
    caller: Caller,
    *,
    roles: Sequence[str] = (),
    page_size: int = DEFAULT_PAGE_SIZE,
    lookup_concurrency: int = 8,
) -> Iterator[str]:
    """Tokens of the devices in a group and, recursively, in its nested groups.

    With ``roles``, only elements having at least one of them are followed, at every level (a
    nested group must itself be a member with a matching role, and so must the devices in it).
    A group reached twice (a cycle, or a diamond) is expanded once.
    """
    if not group_token:
        raise InvalidArgument("A device group token is required.")
    group = client.get_group_by_token(group_token, tenant_id=caller.tenant_id, auth_token=caller.auth_token)
    if group is None:
        raise InvalidArgument(f"Unknown device group token '{group_token}'.")
    wanted = frozenset(roles)

    def device_ids() -> Iterator[uuid.UUID]:
        pending, visited = [group.id], {group.id}
        while pending:
            group_id = pending.pop()

            def fetch(page: int, group_id: uuid.UUID = group_id) -> tuple[int, list[GroupElement]]:
                return client.list_group_elements(
                    group_id, page, page_size, tenant_id=caller.tenant_id, auth_token=caller.auth_token
                )

            for items in _pages(fetch, page_size):
                for element in items:
                    if wanted and wanted.isdisjoint(element.roles):
                        continue
                    nested = element.nested_group_id
                    if nested is not None and nested not in visited:
                        visited.add(nested)
                        pending.append(nested)
                    if element.device_id is not None:
                        yield element.device_id

    return _tokens_of(client, device_ids(), caller, page_size, lookup_concurrency)


def devices_for_assignments(
    client: DeviceManagementClient,
    caller: Caller,
    *,
    device_type_tokens: Sequence[str] = (),
    customer_tokens: Sequence[str] = (),
    area_tokens: Sequence[str] = (),
    asset_tokens: Sequence[str] = (),
    statuses: Sequence[int] = (ASSIGNMENT_ACTIVE,),
    page_size: int = DEFAULT_PAGE_SIZE,
    lookup_concurrency: int = 8,
) -> Iterator[str]:
    """Tokens of the devices having an assignment (active by default) that matches every given
    criterion; within one criterion, any of the listed tokens matches."""
    if not (device_type_tokens or customer_tokens or area_tokens or asset_tokens):
        # An empty search would target the whole fleet: make the caller say so explicitly.
        raise InvalidArgument("At least one device type, customer, area or asset token is required.")
    for token in device_type_tokens:
        _require_device_type(client, token, caller)

    def device_ids() -> Iterator[uuid.UUID]:
        def fetch(page: int) -> tuple[int, list[Assignment]]:
            return client.list_assignments(
                device_type_tokens=device_type_tokens,
                customer_tokens=customer_tokens,
                area_tokens=area_tokens,
                asset_tokens=asset_tokens,
                statuses=statuses,
                page=page,
                size=page_size,
                tenant_id=caller.tenant_id,
                auth_token=caller.auth_token,
            )

        for items in _pages(fetch, page_size):
            for assignment in items:
                if assignment.device_id is not None:
                    yield assignment.device_id

    return _tokens_of(client, device_ids(), caller, page_size, lookup_concurrency)


def _require_device_type(client: DeviceManagementClient, token: str, caller: Caller) -> None:
    found = client.get_device_type_by_token(token, tenant_id=caller.tenant_id, auth_token=caller.auth_token)
    if found is None:
        raise InvalidArgument(f"Invalid device type token '{token}'.", ErrorCode.INVALID_DEVICE_TYPE_TOKEN)


def _chunks(values: Iterable[uuid.UUID], size: int) -> Iterator[list[uuid.UUID]]:
    chunk: list[uuid.UUID] = []
    for value in values:
        chunk.append(value)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _tokens_of(
    client: DeviceManagementClient,
    device_ids: Iterator[uuid.UUID],
    caller: Caller,
    chunk_size: int,
    concurrency: int,
) -> Iterator[str]:
    """Device ids -> tokens, de-duplicated by id before any lookup; there is no bulk lookup RPC,
    so each chunk's lookups run in parallel (in order)."""

    def lookup(device_id: uuid.UUID) -> str | None:
        device = client.get_device(device_id, tenant_id=caller.tenant_id, auth_token=caller.auth_token)
        if device is None:  # deleted since it was listed
            log.info("device %s vanished while targeting", device_id)
            return None
        return device.token

    seen: set[uuid.UUID] = set()

    def fresh() -> Iterator[uuid.UUID]:
        for device_id in device_ids:
            if device_id not in seen:
                seen.add(device_id)
                yield device_id

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="targeting") as pool:
        for chunk in _chunks(fresh(), chunk_size):
            for token in pool.map(lookup, chunk):
                if token is not None:
                    yield token
