"""One exception root, and one table from its kinds to gRPC status codes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import grpc
import pytest

import batchops
from batchops.api.auth import AuthError, PermissionDenied
from batchops.api.errors import STATUS_FOR_KIND, status_code, status_details
from batchops.api.tenancy import TenantUnavailable
from batchops.domain import AlreadyExists, ConcurrentUpdate, ErrorCode, IllegalTransition, NotFound
from batchops.errors import BatchopsError, ErrorKind
from batchops.messaging.kafka import PublishError


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for module_info in pkgutil.walk_packages(batchops.__path__, "batchops."):
        name = module_info.name
        if name.endswith("__main__") or name.startswith("batchops.wire."):
            continue  # __main__ runs its program on import; wire holds generated stubs only
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == name:
                found.append(cls)
    return found


def test_every_exception_class_of_the_package_derives_from_the_root() -> None:
    classes = _exception_classes()
    assert len(classes) >= 25  # the walk did find the package's exceptions
    strays = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes if not issubclass(cls, BatchopsError)]
    assert strays == []


def test_every_kind_has_a_status_code() -> None:
    assert set(STATUS_FOR_KIND) == set(ErrorKind)


@pytest.mark.parametrize(
    ("error", "code", "details"),
    [
        (NotFound(ErrorCode.INVALID_BATCH_OPERATION_ID, "gone"), grpc.StatusCode.NOT_FOUND, "4410:gone"),
        (AlreadyExists(ErrorCode.DUPLICATE_BATCH_ELEMENT, "2x"), grpc.StatusCode.ALREADY_EXISTS, "4370:2x"),
        (ConcurrentUpdate("operation"), grpc.StatusCode.ABORTED, "9412:operation kept changing"),
        (IllegalTransition("op", "A", "B"), grpc.StatusCode.FAILED_PRECONDITION, "9409:op cannot move"),
        (TenantUnavailable("tenant t is starting"), grpc.StatusCode.UNAVAILABLE, "1:tenant t is starting"),
        (AuthError("no token"), grpc.StatusCode.UNAUTHENTICATED, "1:no token"),
        (PermissionDenied("not yours"), grpc.StatusCode.PERMISSION_DENIED, "1:not yours"),
        (PublishError("broker down"), grpc.StatusCode.UNAVAILABLE, "1:broker down"),
        (BatchopsError("secret internals"), grpc.StatusCode.INTERNAL, "1:Internal error."),
    ],
)
def test_status_code_and_sitewhere_details(error: BatchopsError, code: grpc.StatusCode, details: str) -> None:
    assert status_code(error) == code
    assert status_details(error).startswith(details)
