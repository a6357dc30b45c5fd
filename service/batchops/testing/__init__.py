"""A harness for handler authors: run a handler against fake services and assert on its outcome
(see docs/operation-types.md). For tests only; nothing in the service imports it."""

from batchops.clients.calls import ClientError, ServiceUnavailable
from batchops.engine.handlers import DependencyUnavailable
from batchops.testing.fakes import (
    Call,
    FakeDeviceManagement,
    FakeEventManagement,
    FakeServices,
    Party,
    RecordedInvocation,
)
from batchops.testing.harness import HandlerHarness, HandlerRun

__all__ = [
    "Call",
    "ClientError",
    "DependencyUnavailable",
    "FakeDeviceManagement",
    "FakeEventManagement",
    "FakeServices",
    "HandlerHarness",
    "HandlerRun",
    "Party",
    "RecordedInvocation",
    "ServiceUnavailable",
]
