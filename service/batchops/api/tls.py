"""TLS for the gRPC API: certificate chain and key from PEM files, and optionally a CA whose
client certificates are required (mutual TLS)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import grpc


@dataclass(frozen=True)
class TlsFiles:
    cert_file: str
    key_file: str
    client_ca_file: str | None = None  # set: every client must present a certificate it signed


def _read(path: str, what: str) -> bytes:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read the TLS {what} {path!r}: {exc.strerror or exc}") from None
    if b"-----BEGIN" not in data:
        raise ValueError(f"the TLS {what} {path!r} is not PEM")
    return data


def server_credentials(files: TlsFiles) -> grpc.ServerCredentials:
    """Credentials for ``add_secure_port``; ValueError names a missing or non-PEM file."""
    chain = _read(files.cert_file, "certificate")
    key = _read(files.key_file, "key")
    client_ca = _read(files.client_ca_file, "client CA") if files.client_ca_file else None
    return grpc.ssl_server_credentials(
        [(key, chain)], root_certificates=client_ca, require_client_auth=client_ca is not None
    )
