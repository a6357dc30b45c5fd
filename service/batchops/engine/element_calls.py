"""One element's handler call: the context it gets, its failed attempts retried with a short
backoff, and what it came to (a result to store, an element to hand back, or nothing)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from batchops.domain import BatchElement, BatchOperation
from batchops.engine.control_view import ControlView
from batchops.engine.draining import Draining
from batchops.engine.handlers import (
    DependencyUnavailable,
    ElementOutcome,
    HandlerContext,
    OperationStopped,
)
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.outages import Unavailable
from batchops.engine.processing_setup import HandlerAccess, ProcessingPolicy
from batchops.retry import Backoff
from batchops.store.work.outcomes import ElementResult

log = logging.getLogger(__name__)
# Between a handler's failed attempts on one element: 0.1 s, doubling, at most 2 s.
HANDLER_RETRY_BACKOFF = Backoff(initial=0.1, maximum=2.0)


class ElementCalls:
    def __init__(
        self,
        tenant_id: str,
        handlers: HandlerAccess,
        policy: ProcessingPolicy,
        control: ControlView,
        draining: Draining,
        heartbeat: Heartbeat,
    ) -> None:
        self._tenant = tenant_id
        self._handlers = handlers
        self._options = policy.handler_options
        self._max_attempts = policy.max_attempts
        self._control = control
        self._draining = draining
        self._heartbeat = heartbeat

    def process(
        self, operation: BatchOperation, element: BatchElement, prepared: object = None
    ) -> ElementResult | Unavailable | None:
        handler = self._handlers.registry.get(operation.operation_type)
        started = time.monotonic()
        attempts = max(element.attempts, 1)
        if handler is None:
            outcome = ElementOutcome.failure(f"no handler for operation type '{operation.operation_type}'")
        else:
            context = HandlerContext(
                tenant_id=self._tenant,
                operation=operation,
                element=element,
                services=self._handlers.services,
                options=self._options.get(operation.operation_type, {}),
                auth_token=self._handlers.auth_token(),
                effect_fence=self._control.effect,
                prepared=prepared,
            )
            try:
                outcome, attempts = self._with_retries(handler.handle, context, element.attempts)
            except OperationStopped:
                return None
            except DependencyUnavailable as exc:  # not the element's fault: it goes back
                return Unavailable(element.id, exc.dependency, str(exc))
            if not self._draining.late:  # past the stop deadline the store may be closed already
                self._heartbeat.beat(operation.id)
        return ElementResult(
            element_id=element.id,
            operation_id=operation.id,
            succeeded=outcome.succeeded,
            metadata=outcome.metadata,
            error=outcome.error,
            duration_ms=int((time.monotonic() - started) * 1000),
            attempts=attempts,
        )

    def _with_retries(
        self,
        handle: Callable[[HandlerContext], ElementOutcome],
        context: HandlerContext,
        attempts_so_far: int,
    ) -> tuple[ElementOutcome, int]:
        """An exception is a failed attempt, retried with a short backoff; an outcome is final.
        Returns the outcome and the attempt number it came from. ``DependencyUnavailable``
        propagates: it is no attempt of the element's."""
        attempt = max(attempts_so_far, 1)
        while True:
            try:
                return handle(context), attempt
            except (OperationStopped, DependencyUnavailable):
                raise
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if attempt >= self._max_attempts or self._draining.late:
                    return ElementOutcome.failure(f"failed after {attempt} attempt(s): {error}"), attempt
                log.info("handler attempt failed; retrying", extra={"attempt": attempt, "error": error})
                time.sleep(HANDLER_RETRY_BACKOFF.pause(attempt))
                attempt += 1
