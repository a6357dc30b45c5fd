"""Protocol-level readiness probes: one attempt each, True when the server answers its protocol."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
from pymongo import MongoClient
from pymongo.errors import PyMongoError


def tcp_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def kafka_ready(bootstrap: str, timeout: float = 2.0) -> bool:
    """A Metadata request (after ApiVersions) through an AdminClient lists a broker and a controller."""
    host, _, port = bootstrap.rpartition(":")
    if not tcp_open(host, int(port), timeout):
        return False  # avoids librdkafka's connection-refused log noise while the broker starts
    admin = AdminClient(
        {"bootstrap.servers": bootstrap, "socket.timeout.ms": max(1000, int(timeout * 1000)), "log_level": 0}
    )
    try:
        metadata = admin.list_topics(timeout=timeout)
    except KafkaException:
        return False
    # Before the KRaft quorum has elected its controller the broker answers with none (-1).
    return bool(metadata.brokers) and metadata.controller_id >= 0


def mongo_ready(uri: str, timeout: float = 2.0) -> bool:
    """``admin.command("ping")`` answers ok."""
    host, port = _host_port(uri)
    if host and port and not tcp_open(host, port, timeout):
        return False  # don't spend a whole server-selection timeout on a port nobody listens on yet
    ms = max(100, int(timeout * 1000))
    client: MongoClient[dict[str, object]] = MongoClient(
        uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms
    )
    try:
        reply = client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        client.close()
    return bool(reply.get("ok"))


def _host_port(uri: str) -> tuple[str, int | None]:
    """Host and port of a single-host ``mongodb://`` URI; ``("", None)`` for anything else."""
    parsed = urlsplit(uri)
    if parsed.scheme != "mongodb" or "," in parsed.netloc:
        return "", None
    try:
        return parsed.hostname or "", parsed.port or 27017
    except ValueError:
        return "", None


def zookeeper_ready(host: str, port: int, timeout: float = 2.0) -> bool:
    """The four-letter word ``ruok`` is answered with ``imok``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"ruok")
            answer = b""
            while len(answer) < 4:
                chunk = sock.recv(16)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return False
    return answer == b"imok"
