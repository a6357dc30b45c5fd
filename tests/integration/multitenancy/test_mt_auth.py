"""JWT authentication and tenant isolation on the ZooKeeper-mode service with real engines (HS256)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
import jwt
import pytest

from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from support.api import Metadata, tenant_md
from support.multitenancy import (
    JWT_SECRET,
    Admin,
    RecordingService,
    ServiceFactory,
    Stubs,
    TenantIds,
    code_of,
    create_operation,
    get_operation,
    list_element_tokens,
    wait_final,
)

OK = grpc.StatusCode.OK
UNAUTHENTICATED = grpc.StatusCode.UNAUTHENTICATED
PERMISSION_DENIED = grpc.StatusCode.PERMISSION_DENIED
NOT_FOUND = grpc.StatusCode.NOT_FOUND


def token(
    sub: str, *, tenants: list[str] | None = None, auth: list[str] | None = None, **overrides: Any
) -> str:
    claims: dict[str, Any] = {"sub": sub, "exp": int(time.time()) + 300, **overrides}
    if tenants is not None:
        claims["tenants"] = tenants
    if auth is not None:
        claims["auth"] = auth
    secret = claims.pop("secret", JWT_SECRET)
    return jwt.encode(claims, secret, algorithm="HS256")


def jwt_md(tenant_id: str, jwt_token: str) -> Metadata:
    return tenant_md(tenant_id, ("jwt", jwt_token))


@pytest.fixture
def secured(
    make_service: ServiceFactory, stubs: Stubs, add: Admin, tenant_ids: TenantIds
) -> tuple[RecordingService, Any, str, str]:
    service = make_service(auth=True)
    stub, _ = stubs(service)
    tenant_a, tenant_b = tenant_ids("a"), tenant_ids("b")
    add(tenant_a)
    add(tenant_b)
    service.running_engine(tenant_a)
    service.running_engine(tenant_b)
    return service, stub, tenant_a, tenant_b


def test_token_matrix(secured: tuple[RecordingService, Any, str, str]) -> None:
    _, stub, tenant_a, tenant_b = secured

    def list_ops(md: Metadata) -> grpc.StatusCode:
        return code_of(lambda: stub.ListBatchOperations(bms.GListBatchOperationsRequest(), metadata=md))

    user_a = token("alice", tenants=[tenant_a])
    forged = token("alice", tenants=[tenant_a], secret="not-the-service-secret-" + "y" * 40)
    cases: dict[str, tuple[Metadata, grpc.StatusCode]] = {
        "no token": (tenant_md(tenant_a), UNAUTHENTICATED),
        "bad signature": (jwt_md(tenant_a, forged), UNAUTHENTICATED),
        "expired": (
            jwt_md(tenant_a, token("alice", tenants=[tenant_a], exp=int(time.time()) - 60)),
            UNAUTHENTICATED,
        ),
        "valid, other tenant": (jwt_md(tenant_a, token("bob", tenants=[tenant_b])), PERMISSION_DENIED),
        "valid": (jwt_md(tenant_a, user_a), OK),
        "valid, bearer": (tenant_md(tenant_a, ("authorization", f"Bearer {user_a}")), OK),
        "valid, admin": (jwt_md(tenant_b, token("root", auth=["ROLE_ADMIN"])), OK),
    }
    assert {name: list_ops(md) for name, (md, _) in cases.items()} == {
        name: expected for name, (_, expected) in cases.items()
    }
    # Creation (which reaches the engine) follows the same rules.
    assert code_of(lambda: create_operation(stub, tenant_md(tenant_a), ["d"])) is UNAUTHENTICATED
    assert code_of(lambda: create_operation(stub, jwt_md(tenant_a, user_a), ["d"])) is OK


def test_a_tenant_a_user_cannot_reach_tenant_b_operations(
    secured: tuple[RecordingService, Any, str, str],
) -> None:
    _, stub, tenant_a, tenant_b = secured
    user_a, user_b = token("alice", tenants=[tenant_a]), token("bob", tenants=[tenant_b])
    admin = token("root", auth=["ROLE_ADMIN"])
    b_md = jwt_md(tenant_b, user_b)
    b_op = create_operation(stub, b_md, ["b-1", "b-2"], token="b-secret", parameters={"owner": "b"})
    wait_final(stub, b_md, b_op.id)  # elements exist once it is initialized

    def attempts(md: Metadata) -> dict[str, Callable[[], object]]:
        update = bm.GBatchOperationUpdateRequest(metadata={"hijacked": "yes"})
        return {
            "get": lambda: get_operation(stub, md, b_op.id),
            "get by token": lambda: stub.GetBatchOperationByToken(
                bms.GGetBatchOperationByTokenRequest(token="b-secret"), metadata=md
            ),
            "update": lambda: stub.UpdateBatchOperation(
                bms.GUpdateBatchOperationRequest(batchOperationId=b_op.id, request=update), metadata=md
            ),
            "elements": lambda: list_element_tokens(stub, md, b_op.id),
            "delete": lambda: stub.DeleteBatchOperation(
                bms.GDeleteBatchOperationRequest(batchOperationId=b_op.id), metadata=md
            ),
        }

    def codes(md: Metadata) -> dict[str, grpc.StatusCode]:
        return {name: code_of(call) for name, call in attempts(md).items()}

    # Naming tenant B with a token that lacks it: refused before anything is looked up.
    assert set(codes(jwt_md(tenant_b, user_a)).values()) == {PERMISSION_DENIED}
    # Within their own tenant, B's id and token simply do not exist: for the user and for an admin.
    assert set(codes(jwt_md(tenant_a, user_a)).values()) == {NOT_FOUND}
    assert set(codes(jwt_md(tenant_a, admin)).values()) == {NOT_FOUND}

    # B's operation is untouched.
    after = get_operation(stub, b_md, b_op.id)
    assert after.token == "b-secret" and "hijacked" not in after.metadata
    assert sorted(list_element_tokens(stub, b_md, b_op.id)) == ["b-1", "b-2"]
