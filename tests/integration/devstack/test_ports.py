from __future__ import annotations

import socket

from batchops.devstack.ports import can_bind, check_port


def test_live_check_against_a_listening_socket() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert not can_bind(port)
        reason = check_port(port)
        assert reason is not None and f"port {port}" in reason
    assert can_bind(port)
