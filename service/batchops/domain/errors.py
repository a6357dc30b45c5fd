"""Domain errors carrying SiteWhere's numeric error codes.

The API layer maps each ``ErrorKind`` to a gRPC status code and renders the description as
``<code>:<message>``, the form SiteWhere's clients parse.
"""

from __future__ import annotations

from enum import IntEnum

from batchops.errors import BatchopsError, ErrorKind


class ErrorCode(IntEnum):
    # SiteWhere's codes (com.sitewhere.spi.error.ErrorCode).
    GENERIC = 1
    INVALID_DEVICE_TYPE_TOKEN = 4060
    DUPLICATE_BATCH_OPERATION_TOKEN = 4360
    DUPLICATE_BATCH_ELEMENT = 4370
    INVALID_BATCH_OPERATION_ID = 4410
    INVALID_BATCH_OPERATION_TOKEN = 4420
    INVALID_BATCH_ELEMENT_ID = 4430
    # batchops' own codes, in a range SiteWhere does not use.
    INVALID_ARGUMENT = 9400
    ILLEGAL_STATUS_TRANSITION = 9409
    UNKNOWN_OPERATION_TYPE = 9410
    INVALID_TENANT = 9401
    CONCURRENT_UPDATE = 9412
    OPERATION_STATE = 9413


class DomainError(BatchopsError):
    """An error the caller caused and can act on, with SiteWhere's code for it."""

    kind = ErrorKind.FAILED_PRECONDITION

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def description(self) -> str:
        return f"{int(self.code)}:{self.message}"


class InvalidArgument(DomainError):
    kind = ErrorKind.INVALID_INPUT

    def __init__(self, message: str, code: ErrorCode = ErrorCode.INVALID_ARGUMENT) -> None:
        super().__init__(code, message)


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class AlreadyExists(DomainError):
    kind = ErrorKind.ALREADY_EXISTS


class ConcurrentUpdate(DomainError):
    kind = ErrorKind.CONFLICT

    def __init__(self, what: str) -> None:
        super().__init__(ErrorCode.CONCURRENT_UPDATE, f"{what} kept changing under this update; retry it.")


class FailedPrecondition(DomainError):
    kind = ErrorKind.FAILED_PRECONDITION

    def __init__(self, message: str) -> None:
        super().__init__(ErrorCode.OPERATION_STATE, message)


class IllegalTransition(DomainError):
    kind = ErrorKind.FAILED_PRECONDITION

    def __init__(self, what: str, current: str, requested: str) -> None:
        super().__init__(
            ErrorCode.ILLEGAL_STATUS_TRANSITION, f"{what} cannot move from {current} to {requested}."
        )
