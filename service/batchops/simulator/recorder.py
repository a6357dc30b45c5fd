"""Every command invocation the simulator received, per tenant, with duplicate detection."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class InvocationRequest:
    """What the caller asked for, decoded from the wire (enum values by name)."""

    command_token: str
    parameters: Mapping[str, str]
    initiator: str  # e.g. "CMD_INITIATOR_BATCH_OPERATION"
    initiator_id: str
    target: str  # e.g. "CMD_TARGET_ASSIGNMENT"
    target_id: str
    metadata: Mapping[str, str]


@dataclass(frozen=True)
class RecordedInvocation:
    """One invocation as the simulator stored it: who sent it, where it went, what it asked."""

    tenant: str
    invocation_id: str
    assignment_id: str
    assignment_token: str
    device_token: str
    request: InvocationRequest
    jwt: str | None = None
    received_at: float = field(default_factory=time.time)

    @property
    def duplicate_key(self) -> tuple[str, str, str, str]:
        # The assignment is part of the key: one invocation per active assignment of a device is
        # legitimate (target-all-assignments); the same one twice is not.
        return (
            self.request.initiator_id,
            self.device_token,
            self.assignment_token,
            self.request.command_token,
        )


class InvocationRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_tenant: dict[str, list[RecordedInvocation]] = {}
        self._keys: dict[str, Counter[tuple[str, str, str, str]]] = {}

    def record(self, invocation: RecordedInvocation) -> None:
        with self._lock:
            self._by_tenant.setdefault(invocation.tenant, []).append(invocation)
            self._keys.setdefault(invocation.tenant, Counter())[invocation.duplicate_key] += 1

    def invocations(self, tenant: str) -> list[RecordedInvocation]:
        with self._lock:
            return list(self._by_tenant.get(tenant, ()))

    def count(self, tenant: str) -> int:
        with self._lock:
            return len(self._by_tenant.get(tenant, ()))

    def duplicates(self, tenant: str) -> int:
        """How many invocations repeated an earlier one (same operation, device, assignment, command)."""
        with self._lock:
            return sum(n - 1 for n in self._keys.get(tenant, Counter()).values() if n > 1)

    def tenants(self) -> list[str]:
        with self._lock:
            return sorted(self._by_tenant)

    def reset(self) -> None:
        with self._lock:
            self._by_tenant.clear()
            self._keys.clear()
