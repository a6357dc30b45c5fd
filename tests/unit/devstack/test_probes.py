from __future__ import annotations

import pytest

from batchops.devstack.probes import _host_port


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("mongodb://127.0.0.1:27117/?directConnection=true", ("127.0.0.1", 27117)),
        ("mongodb://localhost/?directConnection=true", ("localhost", 27017)),
        ("mongodb://u:p@db:1234/admin", ("db", 1234)),
        ("mongodb://a:1,b:2/?replicaSet=rs", ("", None)),
        ("mongodb+srv://cluster.example.com/", ("", None)),
    ],
)
def test_host_port(uri: str, expected: tuple[str, int | None]) -> None:
    assert _host_port(uri) == expected
