"""Turning exceptions into gRPC statuses: the right code, SiteWhere's ``<code>:<message>`` text."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import grpc
from pymongo.errors import PyMongoError

from batchops.api.tenancy import MISSING_TENANT_MESSAGE, TENANT_HEADER
from batchops.domain import DomainError, ErrorCode
from batchops.domain.validation import check_tenant_id
from batchops.errors import BatchopsError, ErrorKind
from batchops.logs import log_context

log = logging.getLogger(__name__)

# The one place where a kind of failure becomes a gRPC status code.
STATUS_FOR_KIND: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID_INPUT: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.FAILED_PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.CONFLICT: grpc.StatusCode.ABORTED,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.PERMISSION_DENIED: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.INTERNAL: grpc.StatusCode.INTERNAL,
}
INTERNAL_ERROR = f"{int(ErrorCode.GENERIC)}:Internal error."


def status_code(error: BatchopsError) -> grpc.StatusCode:
    return STATUS_FOR_KIND[error.kind]


def status_details(error: BatchopsError) -> str:
    """SiteWhere's ``<code>:<message>``: the domain's own code, else the generic one. An internal
    error's message stays in the log (it may name internals the caller has no business seeing)."""
    if error.kind is ErrorKind.INTERNAL:
        return INTERNAL_ERROR
    if isinstance(error, DomainError):
        return error.description
    return f"{int(ErrorCode.GENERIC)}:{error}"


class MalformedRequest:
    """Stands in for a request whose bytes did not decode, so the method can answer
    INVALID_ARGUMENT instead of gRPC's own INTERNAL."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def safe_deserializer(parse: Callable[[bytes], Any]) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return parse(data)
        except Exception as exc:
            return MalformedRequest(exc)

    return deserialize


def metadata_value(context: grpc.ServicerContext, key: str) -> str | None:
    for item_key, value in context.invocation_metadata() or ():
        if item_key == key:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None


Method = TypeVar("Method", bound=Callable[..., Any])


def tenant_rpc(method: Method) -> Method:
    """Wrap a servicer method: require the tenant header, resolve the tenant, map errors.

    The wrapped method is called as ``method(self, tenant, request, context)``.
    """

    @functools.wraps(method)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        tenant_id = metadata_value(context, TENANT_HEADER)
        if not tenant_id:
            context.abort(grpc.StatusCode.UNAUTHENTICATED, MISSING_TENANT_MESSAGE)
        code, details = grpc.StatusCode.INTERNAL, INTERNAL_ERROR
        try:
            if isinstance(request, MalformedRequest):
                code, details = grpc.StatusCode.INVALID_ARGUMENT, "9400:Request could not be decoded."
            else:
                check_tenant_id(tenant_id)
                with log_context(tenant=tenant_id, rpc=method.__name__):
                    return method(self, self.router.tenant(tenant_id), request, context)
        except BatchopsError as exc:
            if exc.kind is ErrorKind.INTERNAL:
                log.exception("internal error in %s", method.__name__)
            code, details = status_code(exc), status_details(exc)
        except PyMongoError as exc:
            log.warning("datastore error in %s: %s", method.__name__, exc)
            code, details = grpc.StatusCode.UNAVAILABLE, "1:Datastore unavailable; retry later."
        except Exception:
            log.exception("unexpected error in %s", method.__name__)
        context.abort(code, details)

    return wrapper  # type: ignore[return-value]
