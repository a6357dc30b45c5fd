"""The one exception type of the dev stack."""

from __future__ import annotations

from batchops.errors import BatchopsError, ErrorKind


class DevStackError(BatchopsError):
    """A failure meant to be shown to a human as is (the CLI prints the message, not a traceback)."""

    kind = ErrorKind.UNAVAILABLE
