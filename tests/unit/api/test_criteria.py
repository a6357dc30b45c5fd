"""Criteria helpers: bounded de-duplicating collection, and how device-management failures map."""

from __future__ import annotations

import inspect
from collections.abc import Generator

import grpc
import pytest

from batchops.api.criteria import DeviceManagementUnavailable, client_failure, collect_targets
from batchops.clients import ClientError
from batchops.domain import DomainError, InvalidArgument
from batchops.errors import ErrorKind


def test_collect_keeps_first_seen_order_without_repeats() -> None:
    assert collect_targets(iter(["b", "a", "b", "c", "a"]), 10) == ["b", "a", "c"]


def test_collect_stops_pulling_the_stream_past_the_limit() -> None:
    pulled: list[int] = []

    def stream() -> Generator[str, None, None]:
        for n in range(1_000_000):
            pulled.append(n)
            yield f"dev-{n}"

    tokens = stream()
    with pytest.raises(InvalidArgument, match="more than 5 devices"):
        collect_targets(tokens, 5)
    assert len(pulled) == 6
    # Closed at once, not left to the garbage collector.
    assert inspect.getgeneratorstate(tokens) == inspect.GEN_CLOSED


def test_collect_repeats_do_not_count_towards_the_limit() -> None:
    assert collect_targets(iter(["a", "a", "a", "b"]), 2) == ["a", "b"]


def test_collect_refuses_an_unusable_token() -> None:
    with pytest.raises(InvalidArgument):
        collect_targets(iter(["ok", "bad\x00token"]), 10)


@pytest.mark.parametrize("code", [grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED])
def test_unreachable_device_management_is_unavailable(code: grpc.StatusCode) -> None:
    error = client_failure(ClientError("device-management", "ListDevices", code, "down", 5))
    assert isinstance(error, DeviceManagementUnavailable)
    assert "Device management is unavailable" in str(error)


def test_other_device_management_answers_are_final() -> None:
    error = client_failure(
        ClientError("device-management", "ListDevices", grpc.StatusCode.PERMISSION_DENIED, "no", 1)
    )
    assert isinstance(error, DomainError) and error.kind is ErrorKind.FAILED_PRECONDITION
    assert "PERMISSION_DENIED" in error.message
