"""The one exception type of the dev stack."""

from __future__ import annotations


class DevStackError(Exception):
    """A failure meant to be shown to a human as is (the CLI prints the message, not a traceback)."""
