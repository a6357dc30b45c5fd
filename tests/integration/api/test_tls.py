"""TLS for the gRPC API (issue 12, "also asked"): a real TLS server on a port, with a CA and
certificates made here; plaintext clients and, with client verification, certificate-less
clients are refused."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from batchops.api import OpenTenantRouter
from batchops.config import Settings, with_overrides
from batchops.service import BatchOpsService
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_management_pb2_grpc
from support.services import start_store_only_service

CALL_TIMEOUT = 30.0


@dataclass(frozen=True)
class Pem:
    cert: bytes
    key: bytes


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _issue(
    subject: str, issuer: x509.Name | None, signer: ec.EllipticCurvePrivateKey | None, *, ca: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(signer or key, hashes.SHA256()), key


@dataclass(frozen=True)
class Pki:
    ca: Pem
    server: Pem
    client: Pem
    dir: Path


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    ca_cert, ca_key = _issue("batchops test CA", None, None, ca=True)
    server_cert, server_key = _issue("localhost", ca_cert.subject, ca_key, ca=False)
    client_cert, client_key = _issue("a client", ca_cert.subject, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    pki = Pki(
        ca=Pem(ca_cert.public_bytes(pem), _key_pem(ca_key)),
        server=Pem(server_cert.public_bytes(pem), _key_pem(server_key)),
        client=Pem(client_cert.public_bytes(pem), _key_pem(client_key)),
        dir=tmp_path_factory.mktemp("pki"),
    )
    for name, item in (("ca", pki.ca), ("server", pki.server), ("client", pki.client)):
        (pki.dir / f"{name}.crt").write_bytes(item.cert)
        (pki.dir / f"{name}.key").write_bytes(item.key)
    return pki


def _service(api_settings: Settings, **tls: object) -> Iterator[BatchOpsService]:
    settings = with_overrides(api_settings, **tls)
    service = start_store_only_service(settings)
    yield service
    service.stop()


@pytest.fixture(scope="module")
def tls_service(api_settings: Settings, pki: Pki) -> Iterator[BatchOpsService]:
    yield from _service(
        api_settings,
        grpc_tls_cert_file=str(pki.dir / "server.crt"),
        grpc_tls_key_file=str(pki.dir / "server.key"),
        grpc_health_port=0,
    )


@pytest.fixture(scope="module")
def mtls_service(api_settings: Settings, pki: Pki) -> Iterator[BatchOpsService]:
    yield from _service(
        api_settings,
        grpc_tls_cert_file=str(pki.dir / "server.crt"),
        grpc_tls_key_file=str(pki.dir / "server.key"),
        grpc_tls_client_ca_file=str(pki.dir / "ca.crt"),
    )


def _check(channel: grpc.Channel) -> int:
    response = health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(), timeout=CALL_TIMEOUT
    )
    return int(response.status)


def _lookup(channel: grpc.Channel, tenant: str) -> grpc.StatusCode:
    stub = batch_management_pb2_grpc.BatchManagementStub(channel)
    try:
        stub.GetBatchOperationByToken(
            bms.GGetBatchOperationByTokenRequest(token="none"),
            metadata=(("tenant", tenant),),
            timeout=CALL_TIMEOUT,
        )
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def test_tls_serves_tls_clients_and_refuses_plaintext(
    tls_service: BatchOpsService, pki: Pki, tenant: str
) -> None:
    address = f"127.0.0.1:{tls_service.port}"
    with grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=pki.ca.cert)) as channel:
        assert _check(channel) == health_pb2.HealthCheckResponse.SERVING
        assert _lookup(channel, tenant) == grpc.StatusCode.NOT_FOUND  # served: no such operation
    with grpc.insecure_channel(address) as plaintext:
        assert _lookup(plaintext, tenant) == grpc.StatusCode.UNAVAILABLE
    # Probes that cannot speak TLS use the plaintext health port, which serves nothing else.
    assert tls_service.server.health_port
    with grpc.insecure_channel(f"127.0.0.1:{tls_service.server.health_port}") as probe:
        assert _check(probe) == health_pb2.HealthCheckResponse.SERVING
        assert _lookup(probe, tenant) == grpc.StatusCode.UNIMPLEMENTED


def test_client_certificates_are_required_when_a_client_ca_is_set(
    mtls_service: BatchOpsService, pki: Pki, tenant: str
) -> None:
    address = f"127.0.0.1:{mtls_service.port}"
    without_cert = grpc.ssl_channel_credentials(root_certificates=pki.ca.cert)
    with grpc.secure_channel(address, without_cert) as channel:
        assert _lookup(channel, tenant) == grpc.StatusCode.UNAVAILABLE
    with_cert = grpc.ssl_channel_credentials(
        root_certificates=pki.ca.cert, private_key=pki.client.key, certificate_chain=pki.client.cert
    )
    with grpc.secure_channel(address, with_cert) as channel:
        assert _lookup(channel, tenant) == grpc.StatusCode.NOT_FOUND
    with grpc.insecure_channel(address) as plaintext:
        assert _lookup(plaintext, tenant) == grpc.StatusCode.UNAVAILABLE


def test_unreadable_or_half_configured_tls_is_a_clear_error(api_settings: Settings, pki: Pki) -> None:
    from batchops.config import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="BATCHOPS_GRPC_TLS_KEY_FILE"):
        load_settings(
            grpc_host="127.0.0.1", auth_enabled=False, grpc_tls_cert_file=str(pki.dir / "server.crt")
        )
    settings = with_overrides(
        api_settings,
        **{
            "grpc_tls_cert_file": str(pki.dir / "missing.crt"),
            "grpc_tls_key_file": str(pki.dir / "server.key"),
        },
    )
    with pytest.raises(ValueError, match="cannot read the TLS certificate"):
        BatchOpsService(
            settings, router_factory=lambda connector: OpenTenantRouter(connector, target_chunk_size=100)
        )
