"""Input limits shared by every entry point (gRPC and the Kafka operations topic)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from batchops.domain.errors import InvalidArgument
from batchops.domain.models import Paging

MAX_TOKEN_LENGTH = 128
MAX_DEVICE_TOKEN_LENGTH = 256
MAX_OPERATION_TYPE_LENGTH = 128
MAX_MAP_ENTRIES = 256
MAX_MAP_KEY_LENGTH = 256
MAX_MAP_VALUE_LENGTH = 8192
# Keys plus values, UTF-8 bytes, per map (parameters, metadata, parameter values). An operation
# carries at most two maps, so its fields stay far below what one operations record (and a
# list page) must carry besides them: 10,000 device tokens per record, 100 operations per page.
MAX_MAP_BYTES = 64 * 1024
MAX_TENANT_ID_LENGTH = 48

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@~-]*")
_OPERATION_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
_TENANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# Device tokens come from other systems: accept anything printable, refuse controls and blanks.
_BAD_DEVICE_TOKEN = re.compile(r"[\x00-\x1f\x7f]|^\s|\s$")


def check_token(token: str, what: str = "token") -> str:
    if len(token) > MAX_TOKEN_LENGTH or not _TOKEN.fullmatch(token):
        raise InvalidArgument(
            f"Invalid {what} {token[:MAX_TOKEN_LENGTH]!r}: use 1-{MAX_TOKEN_LENGTH} characters from "
            "letters, digits and . _ : @ ~ - (starting with a letter or digit)."
        )
    return token


def check_operation_type(operation_type: str) -> str:
    if not operation_type:
        raise InvalidArgument("Operation type is required.")
    if len(operation_type) > MAX_OPERATION_TYPE_LENGTH or not _OPERATION_TYPE.fullmatch(operation_type):
        raise InvalidArgument(f"Invalid operation type {operation_type[:MAX_OPERATION_TYPE_LENGTH]!r}.")
    return operation_type


def check_tenant_id(tenant_id: str) -> str:
    if len(tenant_id) > MAX_TENANT_ID_LENGTH or not _TENANT_ID.fullmatch(tenant_id):
        raise InvalidArgument(
            f"Invalid tenant id {tenant_id[:MAX_TENANT_ID_LENGTH]!r}: use up to {MAX_TENANT_ID_LENGTH} "
            "letters, digits, '_' or '-'."
        )
    return tenant_id


def check_device_token(token: str) -> str:
    if not token or len(token) > MAX_DEVICE_TOKEN_LENGTH or _BAD_DEVICE_TOKEN.search(token):
        raise InvalidArgument(
            f"Invalid device token {token[:64]!r}: must be 1-{MAX_DEVICE_TOKEN_LENGTH} printable "
            "characters without leading or trailing blanks."
        )
    return token


def check_device_tokens(tokens: Iterable[str], limit: int) -> int:
    """Validate every token of a request before anything is written; returns how many there are.

    Repeats are dropped later, while the target list is stored (see ``BatchStore``); holding a
    set of a million tokens here would double the memory a large request costs.
    """
    count = 0
    for token in tokens:
        check_device_token(token)
        count += 1
    if count == 0:
        raise InvalidArgument("At least one device token is required.")
    if count > limit:
        raise InvalidArgument(f"Too many device tokens: {count}, at most {limit} per operation.")
    return count


def check_string_map(values: Mapping[str, str], what: str) -> dict[str, str]:
    if len(values) > MAX_MAP_ENTRIES:
        raise InvalidArgument(f"Too many {what} entries: at most {MAX_MAP_ENTRIES}.")
    size = 0
    for key, value in values.items():
        if not key or len(key) > MAX_MAP_KEY_LENGTH or key.startswith("$") or "." in key or "\x00" in key:
            raise InvalidArgument(
                f"Invalid {what} key {key[:64]!r}: 1-{MAX_MAP_KEY_LENGTH} characters, no '.', no leading '$'."
            )
        if len(value) > MAX_MAP_VALUE_LENGTH or "\x00" in value:
            raise InvalidArgument(
                f"Invalid {what} value for {key!r}: at most {MAX_MAP_VALUE_LENGTH} characters."
            )
        size += len(key.encode("utf-8", "surrogatepass")) + len(value.encode("utf-8", "surrogatepass"))
    if size > MAX_MAP_BYTES:
        raise InvalidArgument(
            f"{what.capitalize()} too large: {size} bytes of keys and values, at most {MAX_MAP_BYTES}."
        )
    return dict(values)


def check_paging(page_number: int, page_size: int, default_size: int, max_size: int) -> Paging:
    """SiteWhere pages are 1-based; page 0 is read as page 1 and size 0 as the default."""
    if page_number < 0:
        raise InvalidArgument(f"Invalid page number {page_number}: must be 1 or more.")
    if page_size < 0 or page_size > max_size:
        raise InvalidArgument(f"Invalid page size {page_size}: must be between 1 and {max_size}.")
    return Paging(page_number=max(page_number, 1), page_size=page_size or default_size)


MAX_ERROR_MESSAGE_LENGTH = 4096


def check_error_message(message: str) -> str:
    if len(message) > MAX_ERROR_MESSAGE_LENGTH or "\x00" in message:
        raise InvalidArgument(f"Error message too long: at most {MAX_ERROR_MESSAGE_LENGTH} characters.")
    return message
