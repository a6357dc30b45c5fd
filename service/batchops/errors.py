"""The one root of batchops' exceptions, and the kinds of failure a caller can act on.

Every exception class the package defines derives from ``BatchopsError`` and says which ``kind`` of
failure it is; the gRPC API turns kinds into status codes in one table
(``batchops.api.errors.STATUS_FOR_KIND``). This module imports nothing, so every layer can use it.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


class ErrorKind(Enum):
    """Five kinds (invalid input, not found, conflict, unavailable, internal), with conflict and
    refused calls told apart where callers act differently on them (gRPC gives each its own code)."""

    INVALID_INPUT = "invalid_input"  # the request, record or configuration is wrong: fix it, not retry
    NOT_FOUND = "not_found"
    ALREADY_EXISTS = "already_exists"  # a conflict: it is there already
    FAILED_PRECONDITION = "failed_precondition"  # a conflict: the current state does not allow it
    CONFLICT = "conflict"  # a concurrent change came first: retrying may succeed
    UNAUTHENTICATED = "unauthenticated"  # a refused call: no valid credentials
    PERMISSION_DENIED = "permission_denied"  # a refused call: valid credentials, not allowed
    UNAVAILABLE = "unavailable"  # a dependency (or the engine) cannot serve now: retry later
    INTERNAL = "internal"  # a bug or a state nobody planned for


class BatchopsError(Exception):
    """The root of every exception batchops defines; ``kind`` classifies it."""

    kind: ClassVar[ErrorKind] = ErrorKind.INTERNAL
