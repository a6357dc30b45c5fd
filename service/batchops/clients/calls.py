"""One outgoing call: tenant and JWT headers, a deadline per attempt, retries with backoff."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc

from batchops.clients.settings import ClientSettings
from batchops.errors import BatchopsError, ErrorKind
from batchops.protocol import headers
from batchops.retry import Backoff

log = logging.getLogger(__name__)


# Transient by nature: the server was unreachable or too slow. Everything else is an answer.
RETRYABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})


class ClientError(BatchopsError):
    """A call failed for good (a non-retryable status, or retries used up)."""

    kind = ErrorKind.UNAVAILABLE

    def __init__(self, service: str, method: str, code: grpc.StatusCode, details: str, attempts: int) -> None:
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        super().__init__(f"{service} {method} failed{tries}: {code.name} {details}".rstrip())
        self.service = service
        self.method = method
        self.code = code
        self.details = details
        self.attempts = attempts


class ServiceUnavailable(ClientError):
    """Retries used up on UNAVAILABLE or DEADLINE_EXCEEDED: the service could not be reached or
    did not answer in time. Not an answer about the request, so a caller may wait and try again."""


# Each pause is drawn from [pause * (1 - CALL_JITTER), pause], so threads that failed together
# do not all come back together.
CALL_JITTER = 0.2


def call_backoff(settings: ClientSettings) -> Backoff:
    """The retry policy of outgoing calls, from SiteWhere's ``sitewhere.grpc.*`` knobs."""
    return Backoff(
        initial=settings.initial_backoff_seconds,
        maximum=settings.max_backoff_seconds,
        max_attempts=settings.max_attempts,
        multiplier=settings.backoff_multiplier,
        jitter=CALL_JITTER,
    )


def call_metadata(tenant_id: str, auth_token: str | None) -> tuple[tuple[str, str], ...]:
    if not tenant_id:
        raise ValueError("a tenant id is required on every outgoing call")
    return headers.call_metadata(tenant_id, auth_token)


@dataclass(frozen=True)
class ServiceCaller:
    """Calls the unary methods of one service with the same policy."""

    service: str
    policy: Backoff
    deadline_seconds: float
    sleep: Callable[[float], None] = time.sleep

    def call(
        self,
        method: Callable[..., Any],
        name: str,
        request: Any,
        *,
        tenant_id: str,
        auth_token: str | None,
        retryable: frozenset[grpc.StatusCode] = RETRYABLE,
        not_found_is_none: bool = False,
    ) -> Any:
        """The response, or None when ``not_found_is_none`` and the server said NOT_FOUND."""
        metadata = call_metadata(tenant_id, auth_token)
        delays = self.policy.delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                return method(request, timeout=self.deadline_seconds, metadata=metadata)
            except grpc.RpcError as exc:
                code: grpc.StatusCode = exc.code()
                details: str = exc.details() or ""
                if code == grpc.StatusCode.NOT_FOUND and not_found_is_none:
                    return None
                delay = next(delays, None) if code in retryable else None
                if delay is None:
                    error = ServiceUnavailable if code in RETRYABLE else ClientError
                    raise error(self.service, name, code, details, attempt) from None
                log.info(
                    "retrying %s %s after %s (attempt %d, pause %.3f s)",
                    self.service,
                    name,
                    code.name,
                    attempt,
                    delay,
                )
                self.sleep(delay)
