"""Handlers: what to do with one element of an operation, by operation type."""

from batchops.clients.services import HandlerServices
from batchops.engine.handlers.base import (
    DependencyUnavailable,
    ElementOutcome,
    HandlerBatch,
    HandlerContext,
    OperationHandler,
    OperationStopped,
    PreparingHandler,
)
from batchops.engine.handlers.registry import ENTRY_POINT_GROUP, HandlerRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "DependencyUnavailable",
    "ElementOutcome",
    "HandlerBatch",
    "HandlerContext",
    "HandlerRegistry",
    "HandlerServices",
    "OperationHandler",
    "OperationStopped",
    "PreparingHandler",
]
