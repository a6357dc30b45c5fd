"""Operator control as a tenant engine serves it: the store's compare-and-sets
(``store.work.control``), made visible to this instance's processor and initializer at once
(``ControlView``), and followed by the work they imply: re-sending what a paused operation skipped
when it resumes, or what a retry sent back.

Re-sending runs on a background thread, so a call on a million-element operation returns at once.
If this process dies before it is done, nothing is lost: the elements are Unprocessed in the
store, and recovery re-publishes an idle operation's waiting work (``engine.recovery``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor

from batchops.domain import BatchOperation, BatchOperationStatus, ElementProcessingStatus
from batchops.engine.control_view import ControlView
from batchops.engine.ports import WorkPort
from batchops.engine.publisher import WorkPublisher
from batchops.logs import log_context
from batchops.store.work.control import Control, ControlRequest, RetryResult

log = logging.getLogger(__name__)
# A forced cancel returns once the effects under way here completed, or after this long (a hung
# dependency): their effects may then still happen, as the README says.
FORCE_CANCEL_EFFECT_WAIT_SECONDS = 5.0
_OP = BatchOperationStatus


class OperationControls:
    def __init__(
        self,
        work: WorkPort,
        control: Control,
        view: ControlView | None = None,
        publisher: Callable[[], WorkPublisher | None] = lambda: None,
        tenant_id: str = "",
        *,
        changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._work = work
        self._control = control
        self._view = view
        self._publisher = publisher
        self._tenant = tenant_id
        # Told after every change: the engine publishes the change's event at once.
        self._changed = changed
        self._follow_ups = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"control-{tenant_id}")

    def close(self) -> None:
        self._follow_ups.shutdown(wait=False, cancel_futures=True)

    def pause(self, operation_id: uuid.UUID, request: ControlRequest) -> BatchOperation:
        operation = self._control.pause(operation_id, request)
        self._note(operation)
        log.info("operation paused", extra={"operation": operation.token, "by": request.by})
        return operation

    def resume(self, operation_id: uuid.UUID, request: ControlRequest) -> BatchOperation:
        operation = self._control.resume(operation_id, request)
        self._note(operation)
        log.info("operation resumed", extra={"operation": operation.token, "by": request.by})
        self._follow_up(operation, self._continue)
        return operation

    def cancel(self, operation_id: uuid.UUID, force: bool, request: ControlRequest) -> BatchOperation:
        operation = self._control.cancel(operation_id, force, request)
        if self._view is not None:
            # From here no element of it starts in this process, and with force no effect either.
            self._view.note(operation_id, _OP.CANCELED if force else _OP.CANCELING)
            if force and not self._view.wait_for_effects(operation_id, FORCE_CANCEL_EFFECT_WAIT_SECONDS):
                log.warning("forced cancel: some handler effects still under way after the wait")
        settled = self._control.settle(operation_id)
        final = settled or self._work.operations.operation(operation_id) or operation
        self._note(final)
        log.info(
            "operation canceled",
            extra={"operation": final.token, "status": final.status.value, "force": force, "by": request.by},
        )
        return final

    def retry(
        self,
        operation_id: uuid.UUID,
        statuses: Collection[ElementProcessingStatus],
        error_contains: str,
        request: ControlRequest,
    ) -> RetryResult:
        result = self._control.retry(operation_id, statuses, error_contains, request)
        self._note(result.operation)
        log.info(
            "operation retried",
            extra={"operation": result.operation.token, "elements": result.retried, "by": request.by},
        )
        if result.operation.status.runs:
            self._follow_up(result.operation, self._continue)
        return result

    # ---- follow-ups -------------------------------------------------------------------------

    def _note(self, operation: BatchOperation) -> None:
        if self._view is not None:
            self._view.note(operation.id, operation.status)
        self._changed()

    def _follow_up(self, operation: BatchOperation, action: Callable[[BatchOperation], None]) -> None:
        if self._publisher() is None:
            return  # no engine here (an API-only router): recovery of the running engines sends it

        def run() -> None:
            with log_context(tenant=self._tenant, operation=operation.token):
                try:
                    action(operation)
                except Exception:
                    log.exception("re-sending a resumed operation's work failed; recovery will resend it")

        self._follow_ups.submit(run)

    def _continue(self, operation: BatchOperation) -> None:
        """Send again what the operation's phase still needs: its target chunks not yet counted
        in (initialization), and the waiting elements of those that are (their records were
        skipped while it was paused)."""
        publisher = self._publisher()
        assert publisher is not None
        if operation.status in (_OP.UNPROCESSED, _OP.INITIALIZING):
            done, _count = self._work.initialization.chunks_done(operation.id)
            publisher.publish_operation(operation, skip_chunks=done)
            # Every chunk may have been counted in while it was paused: only the last step is left.
            initialized = self._work.initialization.complete_initialization(operation.id)
            if initialized is not None and self._work.finishing.finish_if_complete(operation.id):
                return
        elif self._work.finishing.finish_if_complete(operation.id) is not None:
            return
        sent = publisher.republish_elements(self._work.recovery.unprocessed_elements(operation.id))
        log.info("resumed operation's waiting elements sent again", extra={"elements": sent})
