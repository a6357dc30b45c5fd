"""The ``Noop`` operation type: every element succeeds at once, so the benchmark measures the
pipeline, not a handler.

An operation may name a hold file (parameter ``benchHoldFile``): while that file exists, handler
calls wait. The benchmark holds processing this way while it times initialization alone (the
processor claims one batch, then blocks in the handler), and releases it by deleting the file.
"""

from __future__ import annotations

import os
import threading
import time

from batchops.domain import OperationCreate
from batchops.engine.handlers import ElementOutcome, HandlerContext

NOOP_OPERATION_TYPE = "Noop"
PARAM_HOLD_FILE = "benchHoldFile"
_HOLD_POLL_SECONDS = 0.02


class NoopHandler:
    operation_type = NOOP_OPERATION_TYPE

    def __init__(self) -> None:
        # One waiting thread polls the file; the others block on the lock without spinning.
        self._hold_lock = threading.Lock()
        # Hold files seen gone: a hold is never set again once released, and a look at the file
        # system for every element showed in the service CPU the bench reports for this handler.
        self._released: set[str] = set()

    def validate(self, create: OperationCreate) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        hold_file = context.operation.parameters.get(PARAM_HOLD_FILE)
        if hold_file:
            self._wait_while_exists(hold_file)
        return ElementOutcome.success()

    def _wait_while_exists(self, path: str) -> None:
        if path in self._released:
            return
        with self._hold_lock:
            while os.path.exists(path):
                time.sleep(_HOLD_POLL_SECONDS)
            self._released.add(path)
