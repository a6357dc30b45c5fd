"""A test handler whose effect is visible outside the service: one document per element in a
separate database, so tests can count effects. Devices whose token ends in ``-fail`` fail;
``-flaky`` ones raise on their first attempt."""

from __future__ import annotations

import contextlib
import threading
import time

from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from batchops.domain import InvalidArgument
from batchops.engine.handlers import ElementOutcome, HandlerContext

RECORD = "Record"


class RecordingHandler:
    operation_type = RECORD

    def __init__(self, mongo_uri: str, database: str) -> None:
        self._client: MongoClient[dict[str, object]] = MongoClient(mongo_uri)
        self._effects = self._client[database]["effects"]
        self._executions = self._client[database]["executions"]

    def validate(self, operation: object) -> None:
        if getattr(operation, "parameters", {}).get("invalid"):
            raise InvalidArgument("This operation was marked invalid.")

    def handle(self, context: HandlerContext) -> ElementOutcome:
        token = context.element.device_token
        self._executions.insert_one({"element": str(context.element.id), "token": token})
        # Slow work on request (operation parameter delayMs), for crash and deletion tests.
        delay_ms = float(context.operation.parameters.get("delayMs", "0"))
        if delay_ms:
            time.sleep(delay_ms / 1000)
        if token.endswith("-flaky") and not self._executions.count_documents({"token": token}) > 1:
            raise ConnectionError("transient failure")
        if token.endswith("-fail"):
            return ElementOutcome.failure(f"device {token} refused")
        # Idempotent effect: keyed by element, so a re-run after a crash does not double it.
        with contextlib.suppress(DuplicateKeyError):
            self._effects.insert_one(
                {"_id": str(context.element.id), "token": token, "op": str(context.operation.id)}
            )
        return ElementOutcome.success(effect=token)


class NoopHandler:
    operation_type = "Noop"

    def validate(self, operation: object) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        return ElementOutcome.success()


class GateHandler:
    """Every element waits until the test opens the gate (processing held on demand)."""

    operation_type = "Gate"

    def __init__(self) -> None:
        self.gate = threading.Event()

    def validate(self, operation: object) -> None:
        return None

    def handle(self, context: HandlerContext) -> ElementOutcome:
        # Bounded wait: a test that never opens the gate must not hang the engine's shutdown.
        self.gate.wait(300)
        return ElementOutcome.success()
