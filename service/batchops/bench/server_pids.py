"""Which local processes the benchmark's servers are: the one process listening on each server's
port, when the server's address is on this host (otherwise, or when the OS does not say, None)."""

from __future__ import annotations

from pymongo.errors import InvalidURI
from pymongo.uri_parser import parse_uri

from batchops.devstack import Endpoints
from batchops.devstack.ports import port_holders

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def host_port(address: str) -> tuple[str, int] | None:
    """``"host:port"`` (a ZooKeeper chroot suffix allowed) -> (host, port); None for several
    addresses or none."""
    address = address.split("/", 1)[0].strip()
    if not address or "," in address or ":" not in address:
        return None
    host, _, port = address.rpartition(":")
    return (host, int(port)) if port.isdigit() else None


def mongo_host_port(uri: str) -> tuple[str, int] | None:
    try:
        nodes = parse_uri(uri)["nodelist"]
    except (InvalidURI, ValueError):
        return None
    return (str(nodes[0][0]), int(nodes[0][1])) if len(nodes) == 1 else None


def listener_pid(address: tuple[str, int] | None) -> int | None:
    """The pid listening on ``address`` if it is local and exactly one process listens there."""
    if address is None or address[0] not in LOCAL_HOSTS:
        return None
    pids = {holder.pid for holder in port_holders(address[1]) if holder.pid is not None}
    return pids.pop() if len(pids) == 1 else None


def server_pids(endpoints: Endpoints) -> dict[str, int | None]:
    return {
        "mongo": listener_pid(mongo_host_port(endpoints.mongo_uri)),
        "kafka": listener_pid(host_port(endpoints.kafka_bootstrap)),
        "zookeeper": listener_pid(host_port(endpoints.zk_hosts)),
    }
