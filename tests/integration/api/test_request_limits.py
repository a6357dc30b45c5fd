"""Issue 12, item 7: unauthenticated requests are refused before their body is decoded,
compressed requests are refused, and only the create RPCs may send large requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent import futures

import grpc
import jwt
import pytest
from pydantic import SecretStr

from batchops.api.auth import Authenticator, AuthInterceptor, AuthSettings
from batchops.config import Settings, with_overrides
from batchops.service import BatchOpsService
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm
from support.api import large_message_channel
from support.services import start_store_only_service

SECRET = "request-limits-secret-" + "s" * 40
PROBE = "/test.Probe/Echo"


def token(tenants: list[str]) -> str:
    return jwt.encode({"sub": "tester", "exp": time.time() + 600, "tenants": tenants}, SECRET, "HS256")


class CountingDeserializer:
    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, data: bytes) -> bytes:
        with self._lock:
            self.calls += 1
        return data


def test_a_refused_call_is_never_deserialized() -> None:
    counter = CountingDeserializer()
    authenticator = Authenticator(AuthSettings(enabled=True, hs256_secret=SECRET))
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=2),
        interceptors=[AuthInterceptor(authenticator, services=["test.Probe"])],
    )
    echo = grpc.unary_unary_rpc_method_handler(
        lambda request, _context: request, request_deserializer=counter
    )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Probe", {"Echo": echo}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(PROBE)
            for metadata in [(("tenant", "t1"),), (("tenant", "t1"), ("jwt", "not-a-jwt"))]:
                with pytest.raises(grpc.RpcError) as info:
                    call(b"x" * 1_000_000, metadata=metadata)
                assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
            with pytest.raises(grpc.RpcError) as info:  # valid token, tenant not granted
                call(b"x", metadata=(("tenant", "t2"), ("jwt", token(["t1"]))))
            assert info.value.code() == grpc.StatusCode.PERMISSION_DENIED
            assert counter.calls == 0
            assert call(b"hello", metadata=(("tenant", "t1"), ("jwt", token(["t1"])))) == b"hello"
            assert counter.calls == 1
    finally:
        server.stop(None).wait()


@pytest.fixture(scope="module")
def secured_service(api_settings: Settings) -> Iterator[BatchOpsService]:
    settings = with_overrides(
        api_settings,
        **{
            "auth_enabled": True,
            "auth_jwt_secret": SecretStr(SECRET),
            "grpc_max_request_bytes": 256 * 1024,
        },
    )
    service = start_store_only_service(settings)
    yield service
    service.stop()


@pytest.fixture(scope="module")
def secured_stub(
    secured_service: BatchOpsService,
) -> Iterator[batch_management_pb2_grpc.BatchManagementStub]:
    with large_message_channel(secured_service.port) as channel:
        yield batch_management_pb2_grpc.BatchManagementStub(channel)


def test_compressed_requests_are_refused_before_they_are_inflated(
    secured_stub: batch_management_pb2_grpc.BatchManagementStub, tenant: str
) -> None:
    # 8 MB of one byte: a few KB once gzipped, as in the attack.
    request = bms.GCreateBatchOperationRequest(
        request=bm.GBatchOperationCreateRequest(operationType="Custom", deviceTokens=["d" * 250] * 32_000)
    )
    for metadata in [(("tenant", tenant),), (("tenant", tenant), ("jwt", token([tenant])))]:
        with pytest.raises(grpc.RpcError) as info:
            secured_stub.CreateBatchOperation(request, metadata=metadata, compression=grpc.Compression.Gzip)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED, info.value.details()


def test_only_the_create_rpcs_accept_large_requests(
    secured_stub: batch_management_pb2_grpc.BatchManagementStub, tenant: str
) -> None:
    metadata = (("tenant", tenant), ("jwt", token([tenant])))
    big_update = bms.GUpdateBatchOperationRequest()
    big_update.request.metadata.update({f"k{i}": "v" * 8000 for i in range(40)})  # ~320 KB
    with pytest.raises(grpc.RpcError) as info:
        secured_stub.UpdateBatchOperation(big_update, metadata=metadata)
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, info.value.details()
    assert info.value.details().startswith("1:UpdateBatchOperation request of ")
    # A create of 300 KB is fine: the create RPCs keep the whole receive limit.
    create = bms.GCreateBatchOperationRequest(
        request=bm.GBatchOperationCreateRequest(
            operationType="Custom", deviceTokens=[f"device-{i:07d}" for i in range(20_000)]
        )
    )
    created = secured_stub.CreateBatchOperation(create, metadata=metadata).batchOperation
    assert created.deviceTokenCount == 20_000


def test_health_and_reflection_get_the_small_limit_too(secured_service: BatchOpsService) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{secured_service.port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        assert (
            health.Check(health_pb2.HealthCheckRequest(), timeout=30).status
            == health_pb2.HealthCheckResponse.SERVING
        )
        with pytest.raises(grpc.RpcError) as info:
            health.Check(health_pb2.HealthCheckRequest(service="s" * 300_000), timeout=30)
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, info.value.details()
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        big = reflection_pb2.ServerReflectionRequest(file_containing_symbol="x" * 300_000)
        with pytest.raises(grpc.RpcError) as info:
            list(reflection.ServerReflectionInfo(iter([big]), timeout=30))
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, info.value.details()
        small = reflection_pb2.ServerReflectionRequest(list_services="")
        answers = list(reflection.ServerReflectionInfo(iter([small]), timeout=30))
        assert answers[0].list_services_response.service
