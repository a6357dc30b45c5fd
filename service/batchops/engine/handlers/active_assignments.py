"""The active assignments of a batch's devices, looked up in one call.

SiteWhere's command invocation asks for each device's active assignments alone (one call per
element). ``ListDeviceAssignments`` takes a list of device tokens, so one call answers for a
whole batch; each device's own list of active assignment ids (from its lookup by token) then
picks and orders its assignments. A device this lookup cannot answer for with certainty (not in
the batch, an id missing from the answer) is asked for alone, as before.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from batchops.clients.device_management import DeviceManagementClient
from batchops.clients.models import Assignment, Device

# Tokens per request and pages per request: a consumer batch is at most a few hundred elements,
# and a device has few active assignments; an answer bigger than this is left incomplete (its
# devices are then asked for alone).
TOKENS_PER_REQUEST = 500
PAGE_SIZE = 1000
MAX_PAGES = 4
# More matches than this per device asked for: the server did not filter by device token (not
# all implementations do), so its answer is of no use and is not paged through.
MAX_PER_DEVICE = 8


@dataclass(frozen=True)
class BatchAssignments:
    device_tokens: frozenset[str]
    by_id: Mapping[uuid.UUID, Assignment]

    def of(self, device: Device) -> list[Assignment] | None:
        """The device's active assignments in its own order, or None when this lookup cannot
        tell (the device was not part of it, or an assignment is missing from the answer)."""
        if device.token not in self.device_tokens:
            return None
        found = [self.by_id.get(assignment_id) for assignment_id in device.active_assignment_ids]
        if any(a is None or a.device_id != device.id or not a.active for a in found):
            return None
        return [a for a in found if a is not None]


def look_up(
    devices: DeviceManagementClient, device_tokens: Sequence[str], *, tenant_id: str, auth_token: str | None
) -> BatchAssignments:
    """One attempt per request (the per-device lookups remain if it fails: it raises)."""
    tokens = list(dict.fromkeys(device_tokens))
    by_id: dict[uuid.UUID, Assignment] = {}
    for start in range(0, len(tokens), TOKENS_PER_REQUEST):
        part = tokens[start : start + TOKENS_PER_REQUEST]
        for page in range(1, MAX_PAGES + 1):
            total, assignments = devices.list_assignments(
                device_tokens=part,
                page=page,
                size=PAGE_SIZE,
                tenant_id=tenant_id,
                auth_token=auth_token,
                retry=False,
            )
            if total > len(part) * MAX_PER_DEVICE:
                break
            by_id.update((a.id, a) for a in assignments)
            if not assignments or page * PAGE_SIZE >= total:
                break
    return BatchAssignments(frozenset(tokens), by_id)
