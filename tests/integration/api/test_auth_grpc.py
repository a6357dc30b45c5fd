"""JWT authentication over a real channel: the token matrix, tenant isolation, the principal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from batchops.api import BatchManagementServicer, OpenTenantRouter, PagingLimits
from batchops.api.auth import (
    BATCH_MANAGEMENT_SERVICE,
    Authenticator,
    AuthInterceptor,
    AuthSettings,
    current_principal,
)
from batchops.api.server import service_handler
from batchops.config import Settings
from batchops.store import MongoConnector
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from batchops.wire import batch_model_pb2 as bm

SECRET = "integration-test-secret-" + "s" * 40
PROBE_METHOD = "/test.Probe/WhoAmI"
Metadata = tuple[tuple[str, str], ...]
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _who_am_i(request: bytes, context: grpc.ServicerContext) -> bytes:
    principal = current_principal()
    return f"{principal.username if principal else '-'}|{principal.token if principal else ''}".encode()


@pytest.fixture(scope="module")
def secured_port(api_settings: Settings, rsa_key: rsa.RSAPrivateKey) -> Iterator[int]:
    """What BatchOpsService builds, plus the auth interceptor (and a probe service it also guards)."""
    public_pem = (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    authenticator = Authenticator(
        AuthSettings(enabled=True, hs256_secret=SECRET, rs256_public_key=public_pem, leeway_seconds=0)
    )
    connector = MongoConnector(api_settings.mongodb.uri, api_settings.mongodb.tenant_prefix)
    router = OpenTenantRouter(connector, target_chunk_size=api_settings.limits.target_chunk_size)
    servicer = BatchManagementServicer(
        router,
        PagingLimits(api_settings.limits.default_page_size, api_settings.limits.max_page_size),
        api_settings.limits.max_device_tokens,
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        interceptors=[AuthInterceptor(authenticator, services=[BATCH_MANAGEMENT_SERVICE, "test.Probe"])],
    )
    descriptor = bms.DESCRIPTOR.services_by_name["BatchManagement"]
    server.add_generic_rpc_handlers((service_handler(descriptor, servicer),))
    probe = grpc.unary_unary_rpc_method_handler(_who_am_i)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Probe", {"WhoAmI": probe}),))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield port
    server.stop(None).wait()
    connector.close()


@pytest.fixture(scope="module")
def secured_channel(secured_port: int) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{secured_port}") as chan:
        yield chan


@pytest.fixture(scope="module")
def secured(secured_channel: grpc.Channel) -> batch_management_pb2_grpc.BatchManagementStub:
    return batch_management_pb2_grpc.BatchManagementStub(secured_channel)


@pytest.fixture
def other_tenant(unique_name: str) -> str:
    return unique_name + "b"


def token_for(*tenants: str, key: Any = SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"sub": "alice", "auth": ["REST"], "tenants": list(tenants), "exp": now + 300}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm=algorithm)


def call_md(tenant: str, token: str | None) -> Metadata:
    return (("tenant", tenant),) + ((("jwt", token),) if token is not None else ())


def create(stub: Any, md: Metadata, token: str | None = None) -> Any:
    req = bm.GBatchCommandInvocationCreateRequest(commandToken="reboot", deviceTokens=["d1", "d2"])
    if token:
        req.token.value = token
    return stub.CreateBatchCommandInvocation(
        bms.GCreateBatchCommandInvocationRequest(request=req), metadata=md
    ).batchOperation


def code_of(call: Callable[[], Any]) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value.code()  # type: ignore[no-any-return]


def list_ops(stub: Any, md: Metadata) -> Any:
    return stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=md)


@pytest.mark.parametrize(
    ("token_factory", "expected"),
    [
        pytest.param(lambda t: None, UNAUTHENTICATED, id="no-token"),
        pytest.param(
            lambda t: token_for(t, key="z" * 64), grpc.StatusCode.UNAUTHENTICATED, id="bad-signature"
        ),
        pytest.param(
            lambda t: token_for(t, exp=int(time.time()) - 60), grpc.StatusCode.UNAUTHENTICATED, id="expired"
        ),
        pytest.param(
            lambda t: token_for(t, nbf=int(time.time()) + 600),
            grpc.StatusCode.UNAUTHENTICATED,
            id="not-yet-valid",
        ),
        pytest.param(
            lambda t: token_for("someone-else"), grpc.StatusCode.PERMISSION_DENIED, id="wrong-tenant"
        ),
    ],
)
def test_refused_calls(
    secured: Any, tenant: str, token_factory: Callable[[str], str | None], expected: grpc.StatusCode
) -> None:
    md = call_md(tenant, token_factory(tenant))
    assert code_of(lambda: list_ops(secured, md)) == expected
    assert code_of(lambda: create(secured, md)) == expected


def test_refused_create_writes_nothing(secured: Any, tenant: str, tenant_db: Any) -> None:
    assert code_of(lambda: create(secured, call_md(tenant, token_for("x")), "refused")) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    assert list_ops(secured, call_md(tenant, token_for(tenant))).results.count == 0


def test_valid_hs256_and_rs256(secured: Any, tenant: str, rsa_key: rsa.RSAPrivateKey, tenant_db: Any) -> None:
    created = create(secured, call_md(tenant, token_for(tenant)))
    rs_token = token_for(tenant, key=rsa_key, algorithm="RS256")
    listed = list_ops(secured, call_md(tenant, rs_token))
    assert [op.token for op in listed.results.batchOperations] == [created.token]


def test_authorization_bearer_header(secured: Any, tenant: str, tenant_db: Any) -> None:
    md = (("tenant", tenant), ("authorization", f"Bearer {token_for(tenant)}"))
    assert list_ops(secured, md).results.count == 0


def test_wildcard_tenant_token(secured: Any, tenant: str, tenant_db: Any) -> None:
    assert list_ops(secured, call_md(tenant, token_for("*"))).results.count == 0


def test_missing_tenant_header_reaches_the_servicer(secured: Any, tenant: str) -> None:
    with pytest.raises(grpc.RpcError) as info:
        secured.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=(("jwt", token_for(tenant)),))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert info.value.details() == "Tenant token not passed in metadata."


def test_isolation_by_id_and_token(secured: Any, tenant: str, other_tenant: str, tenant_db: Any) -> None:
    mine = create(secured, call_md(tenant, token_for(tenant)), token="isolated-op")
    intruder = token_for(other_tenant)
    get_by_id = bms.GGetBatchOperationRequest(batchOperationId=mine.id)
    get_by_token = bms.GGetBatchOperationByTokenRequest(token="isolated-op")
    delete = bms.GDeleteBatchOperationRequest(batchOperationId=mine.id)
    # Naming the victim's tenant with the intruder's token: refused before anything runs.
    for call, request in (
        (secured.GetBatchOperation, get_by_id),
        (secured.GetBatchOperationByToken, get_by_token),
        (secured.DeleteBatchOperation, delete),
    ):
        assert code_of(lambda c=call, r=request: c(r, metadata=call_md(tenant, intruder))) == (
            grpc.StatusCode.PERMISSION_DENIED
        )
    # In the intruder's own tenant the victim's id and token do not exist.
    own = call_md(other_tenant, intruder)
    assert code_of(lambda: secured.GetBatchOperation(get_by_id, metadata=own)) == grpc.StatusCode.NOT_FOUND
    assert code_of(lambda: secured.GetBatchOperationByToken(get_by_token, metadata=own)) == (
        grpc.StatusCode.NOT_FOUND
    )
    assert code_of(lambda: secured.DeleteBatchOperation(delete, metadata=own)) == grpc.StatusCode.NOT_FOUND
    # The operation survived all of it.
    survivor = secured.GetBatchOperation(get_by_id, metadata=call_md(tenant, token_for(tenant)))
    assert survivor.batchOperation.token == "isolated-op"


def test_principal_is_visible_to_the_method(secured_channel: grpc.Channel) -> None:
    who_am_i = secured_channel.unary_unary(PROBE_METHOD)
    token = token_for("t1", sub="carol")
    assert who_am_i(b"", metadata=(("jwt", token),)) == f"carol|{token}".encode()
    assert code_of(lambda: who_am_i(b"")) == grpc.StatusCode.UNAUTHENTICATED


def test_health_needs_no_token(secured_channel: grpc.Channel) -> None:
    response = health_pb2_grpc.HealthStub(secured_channel).Check(health_pb2.HealthCheckRequest())
    assert response.status == health_pb2.HealthCheckResponse.SERVING
