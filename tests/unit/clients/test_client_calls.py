from __future__ import annotations

import random
from typing import Any

import grpc
import pytest

from batchops.clients import ClientError, ServiceUnavailable
from batchops.clients.calls import ServiceCaller, call_metadata
from batchops.retry import Backoff


class FakeRpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str = "") -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class Script:
    """A stand-in for a unary stub method: raises the scripted errors, then answers "ok"."""

    def __init__(self, *errors: grpc.StatusCode) -> None:
        self.errors = list(errors)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, request: Any, *, timeout: float, metadata: Any) -> str:
        self.calls.append({"timeout": timeout, "metadata": metadata})
        if self.errors:
            raise FakeRpcError(self.errors.pop(0), "scripted")
        return "ok"


def caller(max_attempts: int = 4) -> tuple[ServiceCaller, list[float]]:
    pauses: list[float] = []
    policy = Backoff(initial=0.1, maximum=0.3, max_attempts=max_attempts, multiplier=2.0, jitter=0.0)
    return ServiceCaller("svc", policy, 1.5, sleep=pauses.append), pauses


def test_delays_grow_by_the_multiplier_up_to_the_cap() -> None:
    policy = Backoff(initial=0.1, maximum=0.5, max_attempts=6, multiplier=2.0, jitter=0)
    assert list(policy.delays()) == pytest.approx([0.1, 0.2, 0.4, 0.5, 0.5])


def test_jitter_only_shortens_delays() -> None:
    policy = Backoff(initial=1, maximum=1, max_attempts=50, multiplier=1, jitter=0.2)
    delays = list(policy.delays(random.Random(3)))
    assert len(delays) == 49
    assert all(0.8 <= delay <= 1.0 for delay in delays)


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
def test_transient_errors_are_retried_with_backoff(code: grpc.StatusCode) -> None:
    service, pauses = caller()
    method = Script(code, code)
    assert service.call(method, "M", object(), tenant_id="t1", auth_token=None) == "ok"
    assert len(method.calls) == 3
    assert pauses == pytest.approx([0.1, 0.2])
    assert all(call["timeout"] == 1.5 for call in method.calls)


def test_retries_stop_after_max_attempts_with_a_clear_error() -> None:
    service, pauses = caller(max_attempts=3)
    method = Script(*[grpc.StatusCode.UNAVAILABLE] * 5)
    with pytest.raises(ClientError) as raised:
        service.call(method, "GetDevice", object(), tenant_id="t1", auth_token=None)
    assert raised.value.attempts == 3
    assert raised.value.code == grpc.StatusCode.UNAVAILABLE
    assert str(raised.value) == "svc GetDevice failed after 3 attempts: UNAVAILABLE scripted"
    assert len(pauses) == 2


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.INTERNAL]
)
def test_other_errors_are_not_retried(code: grpc.StatusCode) -> None:
    service, pauses = caller()
    method = Script(code)
    with pytest.raises(ClientError) as raised:
        service.call(method, "M", object(), tenant_id="t1", auth_token=None)
    assert raised.value.attempts == 1 and pauses == []


def test_not_found_is_none_only_when_asked() -> None:
    service, _ = caller()
    assert (
        service.call(
            Script(grpc.StatusCode.NOT_FOUND), "M", 1, tenant_id="t", auth_token=None, not_found_is_none=True
        )
        is None
    )
    with pytest.raises(ClientError):
        service.call(Script(grpc.StatusCode.NOT_FOUND), "M", 1, tenant_id="t", auth_token=None)


def test_restricted_retryable_codes() -> None:
    service, _ = caller()
    method = Script(grpc.StatusCode.DEADLINE_EXCEEDED)
    with pytest.raises(ClientError):
        service.call(
            method, "M", 1, tenant_id="t", auth_token=None, retryable=frozenset({grpc.StatusCode.UNAVAILABLE})
        )
    assert len(method.calls) == 1


def test_headers_carry_tenant_and_jwt_when_given() -> None:
    assert call_metadata("t1", None) == (("tenant", "t1"),)
    assert call_metadata("t1", "a.b.c") == (("tenant", "t1"), ("jwt", "a.b.c"))
    with pytest.raises(ValueError):
        call_metadata("", None)


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
def test_giving_up_on_an_unreachable_service_says_so(code: grpc.StatusCode) -> None:
    service, pauses = caller(max_attempts=3)
    with pytest.raises(ServiceUnavailable) as raised:
        service.call(Script(*[code] * 3), "GetDevice", object(), tenant_id="t1", auth_token=None)
    assert (raised.value.service, raised.value.code, raised.value.attempts) == ("svc", code, 3)
    assert len(pauses) == 2  # the client's own retries are unchanged
    # A deadline on a call that may not retry it (a write) is unreachable too.
    with pytest.raises(ServiceUnavailable):
        service.call(
            Script(grpc.StatusCode.DEADLINE_EXCEEDED),
            "M",
            1,
            tenant_id="t",
            auth_token=None,
            retryable=frozenset(),
        )


@pytest.mark.parametrize(
    "code", [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INTERNAL]
)
def test_an_answer_is_no_unavailability(code: grpc.StatusCode) -> None:
    service, _ = caller()
    with pytest.raises(ClientError) as raised:
        service.call(Script(code), "M", 1, tenant_id="t", auth_token=None)
    assert not isinstance(raised.value, ServiceUnavailable)
