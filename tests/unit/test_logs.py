"""Issue 12, item 13: in the text log format, nothing a caller sends can forge a log line."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from batchops.logs import TextFormatter, escape_control, log_context

FORGED = "t1\r\n2026-01-01 00:00:00,000 INFO    batchops: admin logged in\u2028x\x1b[2J"


@pytest.fixture
def text_log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter())
    logger = logging.getLogger("batchops.test-logs")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def test_tenant_header_and_message_values_cannot_forge_lines(
    text_log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = text_log
    with log_context(tenant=FORGED, rpc="ListBatchOperations"):
        logger.info("call refused: %s", f"User 'u' may not access tenant '{FORGED}'.")
    output = stream.getvalue()
    lines = output.splitlines()  # splits on \r, \u2028 and friends too
    assert len(lines) == 1, lines
    assert "\x1b" not in output
    assert "tenant=t1\\r\\n2026-01-01" in lines[0]
    assert "\\u2028x\\u001b[2J" in lines[0]


def test_a_traceback_stays_indented_under_its_record(text_log: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = text_log
    try:
        raise ValueError(FORGED)
    except ValueError:
        logger.exception("failed for %s", "x\ny")
    first, *rest = stream.getvalue().rstrip("\n").split("\n")
    assert first.endswith("failed for x\\ny")
    assert rest and all(line.startswith("    ") for line in rest)
    assert not any("\r" in line for line in rest)


def test_escape_control_keeps_printable_text() -> None:
    assert escape_control("plain text, ünïcode ✓") == "plain text, ünïcode ✓"
    assert escape_control("a\tb\x00c\x7f") == "a\\tb\\u0000c\\u007f"
