"""Operation type -> handler. Built-ins are registered by default; others come from the Python
entry-point group ``batchops.handlers`` (each entry point names a handler class or factory)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points

from batchops.domain import InvalidArgument, OperationCreate
from batchops.domain.errors import ErrorCode
from batchops.engine.handlers.base import OperationHandler

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "batchops.handlers"


class HandlerRegistry:
    def __init__(self, handlers: Iterable[OperationHandler] = ()) -> None:
        self._handlers: dict[str, OperationHandler] = {}
        for handler in handlers:
            self.register(handler)

    def register(self, handler: OperationHandler) -> None:
        if not isinstance(handler, OperationHandler):
            raise TypeError(f"{handler!r} is not an OperationHandler")
        self._handlers[handler.operation_type] = handler

    def get(self, operation_type: str) -> OperationHandler | None:
        return self._handlers.get(operation_type)

    def require(self, operation_type: str) -> OperationHandler:
        handler = self._handlers.get(operation_type)
        if handler is None:
            known = ", ".join(sorted(self._handlers)) or "none"
            raise InvalidArgument(
                f"No handler for operation type '{operation_type}' (known: {known}).",
                ErrorCode.UNKNOWN_OPERATION_TYPE,
            )
        return handler

    def validate(self, create: OperationCreate) -> OperationHandler:
        """The handler of the request's type, once it has accepted the request (raises
        ``InvalidArgument`` otherwise). Every entry point calls this before writing anything."""
        handler = self.require(create.operation_type)
        handler.validate(create)
        return handler

    @property
    def operation_types(self) -> list[str]:
        return sorted(self._handlers)

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> None:
        for entry in entry_points(group=group):
            try:
                factory: Callable[[], OperationHandler] = entry.load()
                self.register(factory())
                log.info("handler loaded", extra={"entry_point": entry.name})
            except Exception:
                log.exception("cannot load handler entry point %s", entry.name)

    def as_mapping(self) -> Mapping[str, OperationHandler]:
        return dict(self._handlers)
