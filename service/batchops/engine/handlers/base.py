"""What a handler is: given one element of an operation, do the work and say how it went.

Handlers never touch Kafka or MongoDB: the processor claims elements, calls ``handle`` (many at
once, on worker threads, so a handler must be thread-safe) and records the outcomes in bulk.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from batchops.clients.services import HandlerServices
from batchops.domain import BatchElement, BatchOperation, OperationCreate
from batchops.errors import BatchopsError, ErrorKind


class OperationStopped(BatchopsError):
    """The element's operation was canceled with force: the handler gives up its work, and no
    outcome is recorded (the element is Canceled). Raised by ``HandlerContext.effect``."""

    kind = ErrorKind.FAILED_PRECONDITION


class DependencyUnavailable(BatchopsError):
    """Raised by a handler that cannot reach a service it depends on (after that service's
    client has retried): not the element's fault. The processor gives the element back
    (Unprocessed, no attempt spent) and holds the tenant's processing until the dependency
    answers again (a circuit breaker per dependency, ``batchops.engine.circuit``)."""

    kind = ErrorKind.UNAVAILABLE

    def __init__(self, dependency: str, detail: str = "") -> None:
        super().__init__(detail or f"{dependency} is unavailable")
        self.dependency = dependency
        self.detail = detail


@dataclass(frozen=True)
class ElementOutcome:
    succeeded: bool
    metadata: Mapping[str, str] = field(default_factory=dict)
    error: str = ""

    @classmethod
    def success(cls, **metadata: str) -> ElementOutcome:
        return cls(True, metadata)

    @classmethod
    def failure(cls, error: str, **metadata: str) -> ElementOutcome:
        return cls(False, metadata, error)


def _no_fence(_operation_id: uuid.UUID) -> AbstractContextManager[None]:
    return nullcontext()


@dataclass(frozen=True)
class HandlerContext:
    tenant_id: str
    operation: BatchOperation
    element: BatchElement
    # The outgoing services (None when the process has none configured: a handler that needs them
    # fails the element with a clear error).
    services: HandlerServices | None = None
    # Per-tenant handler options from the tenant's configuration.
    options: Mapping[str, Any] = field(default_factory=dict)
    # A token of the tenant's system user for outgoing calls (None when auth is off); processing
    # runs long after the creating call, whose JWT may have expired.
    auth_token: str | None = None
    # Fences effects against a forced cancel (see ``effect``).
    effect_fence: Callable[[uuid.UUID], AbstractContextManager[None]] = _no_fence
    # What the handler's ``prepare`` returned for the element's batch (None: it has none, or the
    # preparation failed; the handler then looks up what it needs itself).
    prepared: object = None

    def effect(self) -> AbstractContextManager[None]:
        """Wrap the call that has the element's effect (e.g. the command invocation): it raises
        ``OperationStopped`` instead once the operation was canceled with force, and a forced
        cancel returns only after the effects under way completed, so none starts after it."""
        return self.effect_fence(self.operation.id)


@dataclass(frozen=True)
class HandlerBatch:
    """The elements of one operation that a consumer batch is about to process."""

    tenant_id: str
    operation: BatchOperation
    elements: Sequence[BatchElement]
    services: HandlerServices | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    auth_token: str | None = None


@runtime_checkable
class PreparingHandler(Protocol):
    """A handler that can look up, once per batch, what each of its calls would otherwise look up
    alone (e.g. the devices' assignments in one call instead of one per element)."""

    def prepare(self, batch: HandlerBatch) -> object:
        """What ``handle`` then finds in ``HandlerContext.prepared`` for the batch's elements.
        Read-only work, no effects. Raising is no failure: the elements are handled unprepared."""


@runtime_checkable
class OperationHandler(Protocol):
    """One operation type's behaviour."""

    operation_type: str

    def validate(self, create: OperationCreate) -> None:
        """Raise ``batchops.domain.InvalidArgument`` if the request cannot make an operation of
        this type that can run (checked at creation, whatever the entry point, before anything is
        written)."""

    def handle(self, context: HandlerContext) -> ElementOutcome:
        """Process one element. Raising counts as a failed attempt with the exception as error,
        except ``DependencyUnavailable``: the element is given back without spending an attempt."""
