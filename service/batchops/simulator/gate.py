"""What every simulated call goes through first: the tenant header, call counting, faults."""

from __future__ import annotations

import threading
from collections import Counter

import grpc

from batchops.protocol.headers import TENANT_HEADER
from batchops.simulator.faults import Fault, FaultPlan

MISSING_TENANT_MESSAGE = "Tenant token not passed in metadata."
# A "timeout" fault waits past the caller's deadline, but never longer than this.
MAX_TIMEOUT_WAIT_SECONDS = 30.0
# How often a held call looks whether it was released or its caller went away.
HOLD_POLL_SECONDS = 0.05


def header(context: grpc.ServicerContext, key: str) -> str | None:
    for item_key, value in context.invocation_metadata() or ():
        if item_key == key:
            return value.decode() if isinstance(value, bytes) else str(value)
    return None


class Gate:
    def __init__(self, faults: FaultPlan, stopping: threading.Event) -> None:
        self.faults = faults
        self._stopping = stopping
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._holding = False
        self._held = 0

    def enter(self, method: str, context: grpc.ServicerContext) -> str:
        """The caller's tenant, after the injected latency; aborts the call for injected errors."""
        tenant = header(context, TENANT_HEADER)
        if not tenant:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, MISSING_TENANT_MESSAGE)
        with self._lock:
            self._calls[method] += 1
        self._wait_while_held(context)
        decision = self.faults.decide(method)
        if decision.delay_seconds > 0:
            self._stopping.wait(decision.delay_seconds)
        if decision.fault is Fault.UNAVAILABLE:
            context.abort(grpc.StatusCode.UNAVAILABLE, f"injected fault: {method} unavailable")
        if decision.fault is Fault.TIMEOUT:
            # Outlive the deadline, then carry on: a slow server still does the work, which is
            # what makes a client's retry after DEADLINE_EXCEEDED a possible duplicate.
            remaining = context.time_remaining()
            wait = (
                MAX_TIMEOUT_WAIT_SECONDS
                if remaining is None
                else min(remaining + 0.05, MAX_TIMEOUT_WAIT_SECONDS)
            )
            self._stopping.wait(wait)
        return tenant

    def hold(self, holding: bool = True) -> None:
        """Hold every call from now on (a dependency that hangs) until ``hold(False)``. A held call
        whose caller goes away ends CANCELLED and does nothing: it is never answered or recorded."""
        with self._lock:
            self._holding = holding

    @property
    def held(self) -> int:
        """Calls being held right now."""
        with self._lock:
            return self._held

    def _wait_while_held(self, context: grpc.ServicerContext) -> None:
        with self._lock:
            if not self._holding:
                return
            self._held += 1
        try:
            while context.is_active() and not self._stopping.wait(HOLD_POLL_SECONDS):
                with self._lock:
                    if not self._holding:
                        return
        finally:
            with self._lock:
                self._held -= 1
        context.abort(grpc.StatusCode.CANCELLED, "the caller went away while the call was held")

    def calls(self, method: str | None = None) -> int:
        with self._lock:
            return self._calls[method] if method else sum(self._calls.values())

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
