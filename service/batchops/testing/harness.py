"""Run a handler as the processor would, against fake services, and assert on what it did.

harness = HandlerHarness(MyHandler())
operation = harness.create_operation(OperationCreate(operation_type="My", parameters={...}))
harness.run(operation, "dev-1").assert_succeeded(key="value")
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from batchops.clients.services import HandlerServices
from batchops.domain import BatchElement, BatchOperation, OperationCreate, element_id_for
from batchops.domain.creation import operation_from
from batchops.engine.handlers import (
    DependencyUnavailable,
    ElementOutcome,
    HandlerContext,
    HandlerRegistry,
    OperationHandler,
)
from batchops.testing.fakes import FakeServices

DEFAULT_TENANT = "test-tenant"
DEFAULT_AUTH_TOKEN = "test.jwt.token"


@dataclass(frozen=True)
class HandlerRun:
    """One ``handle`` call: its outcome, or what it raised (the processor counts an exception as a
    failed attempt and retries up to ``maxAttempts``, except ``DependencyUnavailable``, which gives
    the element back without spending an attempt; an outcome is final)."""

    context: HandlerContext
    outcome: ElementOutcome | None = None
    error: Exception | None = None

    def assert_succeeded(self, **metadata: str) -> ElementOutcome:
        """The element succeeded, and its metadata holds at least ``metadata``."""
        outcome = self._outcome()
        if not outcome.succeeded:
            raise AssertionError(f"expected success, the element failed: {outcome.error!r}")
        _assert_holds(outcome.metadata, metadata)
        return outcome

    def assert_failed(self, error_contains: str = "", **metadata: str) -> ElementOutcome:
        """The element failed with an error containing ``error_contains``."""
        outcome = self._outcome()
        if outcome.succeeded:
            raise AssertionError(f"expected a failure, the element succeeded: {dict(outcome.metadata)}")
        if error_contains not in outcome.error:
            raise AssertionError(f"expected an error containing {error_contains!r}, got {outcome.error!r}")
        _assert_holds(outcome.metadata, metadata)
        return outcome

    def assert_raised(self, kind: type[Exception] = Exception, message_contains: str = "") -> Exception:
        """``handle`` raised ``kind`` (a failed attempt, to be retried)."""
        if self.error is None:
            raise AssertionError(f"expected {kind.__name__} to be raised, got the outcome {self.outcome}")
        if not isinstance(self.error, kind) or message_contains not in str(self.error):
            raise AssertionError(
                f"expected {kind.__name__} containing {message_contains!r}, got {self.error!r}"
            )
        return self.error

    def assert_dependency_unavailable(self, dependency: str = "", message_contains: str = "") -> Exception:
        """``handle`` raised ``DependencyUnavailable`` (naming ``dependency``, when given): the
        processor would hand the element back and open that dependency's circuit."""
        error = self.assert_raised(DependencyUnavailable, message_contains)
        assert isinstance(error, DependencyUnavailable)
        if dependency and error.dependency != dependency:
            raise AssertionError(f"expected {dependency!r} to be unavailable, got {error.dependency!r}")
        return error

    def _outcome(self) -> ElementOutcome:
        if self.outcome is None:
            raise AssertionError(f"expected an outcome, handle raised {self.error!r}")
        return self.outcome


def _assert_holds(actual: Mapping[str, str], expected: Mapping[str, str]) -> None:
    missing = {key: value for key, value in expected.items() if actual.get(key) != value}
    if missing:
        raise AssertionError(f"expected element metadata {missing}, got {dict(actual)}")


class HandlerHarness:
    """One handler, its fake services (``fakes``) and options, in one fake tenant."""

    def __init__(
        self,
        handler: OperationHandler,
        *,
        options: Mapping[str, Any] | None = None,
        tenant_id: str = DEFAULT_TENANT,
        auth_token: str | None = DEFAULT_AUTH_TOKEN,
    ) -> None:
        self.handler = handler
        self.registry = HandlerRegistry([handler])
        self.fakes = FakeServices()
        self.options: Mapping[str, Any] = options or {}
        self.tenant_id = tenant_id
        self.auth_token = auth_token

    def create_operation(self, create: OperationCreate) -> BatchOperation:
        """The operation an entry point would create: the registry finds the handler of the
        request's type and the handler validates it (``InvalidArgument`` propagates)."""
        self.registry.validate(create)
        return operation_from(create, uuid.uuid4(), datetime.now(UTC))

    def context(
        self,
        operation: BatchOperation,
        device_token: str,
        *,
        options: Mapping[str, Any] | None = None,
        services: HandlerServices | None = None,
        without_services: bool = False,
    ) -> HandlerContext:
        """What the processor hands the handler for one element of ``operation``."""
        element = BatchElement(
            id=element_id_for(operation.id, device_token),
            operation_id=operation.id,
            device_token=device_token,
        )
        return HandlerContext(
            tenant_id=self.tenant_id,
            operation=operation,
            element=element,
            services=None if without_services else services or self.fakes.services,
            options=self.options if options is None else options,
            auth_token=self.auth_token,
        )

    def run(
        self,
        operation: BatchOperation,
        device_token: str,
        *,
        options: Mapping[str, Any] | None = None,
        without_services: bool = False,
    ) -> HandlerRun:
        """Handle one element once; the outcome or the exception is in the returned run."""
        context = self.context(operation, device_token, options=options, without_services=without_services)
        try:
            return HandlerRun(context, outcome=self.handler.handle(context))
        except Exception as exc:
            return HandlerRun(context, error=exc)
