"""JSON-valued settings (a map, a list) arrive from the environment as text."""

from __future__ import annotations

import json


def decode_json(value: object) -> object:
    """Parse text as JSON; anything else is already a value. A parse error is a ValueError, so
    pydantic reports it against the setting (and the message names the variable)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc})") from None
    return value
