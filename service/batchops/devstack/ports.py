"""Is a TCP port on 127.0.0.1 free for us, and if not, who holds it?"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import psutil

LOCALHOST = "127.0.0.1"


@dataclass(frozen=True)
class PortHolder:
    """A process listening on the port (pid/name are ``None`` when the OS won't tell)."""

    pid: int | None
    name: str | None
    address: str

    def describe(self) -> str:
        if self.pid is None:
            return f"an unknown process listening on {self.address}"
        label = f" ({self.name})" if self.name else ""
        return f"pid {self.pid}{label} listening on {self.address}"


def free_ports(count: int, host: str = LOCALHOST) -> list[int]:
    """``count`` distinct ports the OS just had free on ``host`` (all bound at once, so distinct)."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in socks:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def can_bind(port: int, host: str = LOCALHOST) -> bool:
    """True when a listening socket could be bound to ``host:port`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def port_holders(port: int) -> list[PortHolder]:
    """Processes listening on ``port`` on any address, as far as psutil can see."""
    try:
        conns = psutil.net_connections(kind="inet")
    except (psutil.AccessDenied, OSError):
        return []
    holders: list[PortHolder] = []
    for conn in conns:
        if conn.status != psutil.CONN_LISTEN or not conn.laddr or conn.laddr.port != port:
            continue
        name: str | None = None
        if conn.pid is not None:
            with contextlib.suppress(psutil.Error):
                name = psutil.Process(conn.pid).name()
        holders.append(PortHolder(pid=conn.pid, name=name, address=f"{conn.laddr.ip}:{conn.laddr.port}"))
    return holders


def port_conflict(
    port: int, *, bindable: bool, holders: Sequence[PortHolder], own_pids: Collection[int]
) -> str | None:
    """A human-readable reason why ``port`` can't be used, or ``None`` when it can.

    The port is usable when it can be bound, or when it is held by one of our own recorded processes.
    """
    if bindable:
        return None
    if any(holder.pid is not None and holder.pid in own_pids for holder in holders):
        return None
    if holders:
        who = "; ".join(holder.describe() for holder in holders)
        return f"port {port} is already in use by {who}"
    return f"port {port} is already in use by another process"


def check_port(port: int, own_pids: Collection[int] = ()) -> str | None:
    """``port_conflict`` for the live system."""
    bindable = can_bind(port)
    holders = [] if bindable else port_holders(port)
    return port_conflict(port, bindable=bindable, holders=holders, own_pids=own_pids)
