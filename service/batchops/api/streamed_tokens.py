"""Create requests whose device-token list is read from the request bytes on demand.

Parsed as a protobuf message, a million-token create request costs about 40 MB on top of its
12 MB of bytes for as long as the call runs (measured). Here the request is parsed without its
tokens, which are checked for well-formed wire encoding and UTF-8 up front (so a bad request is
still refused before anything is written) and decoded again from the bytes, one at a time, while
the store streams them into target chunks.

Only the two create requests use this: both carry their tokens in field 4 of the message in
field 1 (``GBatchOperationCreateRequest`` / ``GBatchCommandInvocationCreateRequest``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from batchops.errors import BatchopsError, ErrorKind

REQUEST_FIELD = 1
TOKENS_FIELD = 4
_LEN = 2  # wire type of strings and messages
_TOKEN_TAG = TOKENS_FIELD << 3 | _LEN


class WireFormatError(BatchopsError):
    """The request's bytes are not well-formed protobuf."""

    kind = ErrorKind.INVALID_INPUT


def _varint(data: bytes, i: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if i >= end or shift > 63:
            raise WireFormatError("truncated or overlong varint")
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _skip(data: bytes, wire_type: int, i: int, end: int) -> tuple[int, int]:
    """(value start, value end) of a field whose tag ended at ``i``."""
    if wire_type == 0:
        return i, _varint(data, i, end)[1]
    if wire_type == 1:
        stop = i + 8
    elif wire_type == 5:
        stop = i + 4
    elif wire_type == _LEN:
        length, i = _varint(data, i, end)
        stop = i + length
    else:  # groups (3/4) do not occur in these proto3 messages
        raise WireFormatError(f"unsupported wire type {wire_type}")
    if stop > end:
        raise WireFormatError("field runs past the end of its message")
    return i, stop


def _fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(field number, wire type, field start, value start, value end) of each field."""
    i = start
    while i < end:
        tag, after_tag = _varint(data, i, end)
        if tag >> 3 == 0:
            raise WireFormatError("field number 0")
        value_start, value_end = _skip(data, tag & 7, after_tag, end)
        yield tag >> 3, tag & 7, i, value_start, value_end
        i = value_end


def _create_fields(data: bytes, start: int, end: int) -> Iterator[tuple[bool, int, int, int]]:
    """(is a device token, field start, value start, value end) of each field of one create
    message, checked as ``_fields`` checks them; tokens take a tight path (a million of them)."""
    i = start
    while i < end:
        field_start = i
        if data[i] == _TOKEN_TAG:
            length, i = _varint(data, i + 1, end)
            if i + length > end:
                raise WireFormatError("device token runs past the end of its message")
            yield True, field_start, i, i + length
            i += length
            continue
        tag, after_tag = _varint(data, i, end)
        if tag >> 3 == 0:
            raise WireFormatError("field number 0")
        value_start, i = _skip(data, tag & 7, after_tag, end)
        # A token whose tag was written in more than one byte is still a token.
        yield tag == _TOKEN_TAG, field_start, value_start, i


@dataclass(frozen=True)
class StreamedTokens:
    """The request's device tokens, decoded from its bytes each time they are iterated."""

    data: bytes
    spans: tuple[tuple[int, int], ...]  # the create messages (field 1) within ``data``
    count: int

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[str]:
        data = self.data
        for start, end in self.spans:
            for is_token, _field_start, value_start, value_end in _create_fields(data, start, end):
                if is_token:
                    yield data[value_start:value_end].decode("utf-8")


def _check_create(data: bytes, start: int, end: int, others: bytearray) -> int:
    """Check one create message's tokens (wire format, strict UTF-8 as protobuf's parser) and
    count them; copy its other fields to ``others``."""
    count = 0
    for is_token, field_start, value_start, value_end in _create_fields(data, start, end):
        if is_token:
            data[value_start:value_end].decode("utf-8")
            count += 1
        else:
            others += data[field_start:value_end]
    return count


@dataclass(frozen=True)
class StreamedCreate:
    """A create request: the message without its tokens, and the tokens."""

    message: Any
    tokens: StreamedTokens


def streamed_create_parser(parse: Callable[[bytes], Any]) -> Callable[[bytes], StreamedCreate]:
    """A deserializer for a create request class (``parse`` is its ``FromString``); raises on
    bytes protobuf would refuse (bad wire format, tokens that are not UTF-8)."""

    def deserialize(data: bytes) -> StreamedCreate:
        rest = bytearray()  # everything but field 1, as received
        create = bytearray()  # the field 1 messages, merged as protobuf merges them, minus tokens
        spans: list[tuple[int, int]] = []
        count = 0
        for number, wire_type, field_start, start, end in _fields(data, 0, len(data)):
            if number != REQUEST_FIELD or wire_type != _LEN:
                rest += data[field_start:end]
                continue
            spans.append((start, end))
            count += _check_create(data, start, end, create)
        if spans:
            rest += _encode_varint(REQUEST_FIELD << 3 | _LEN) + _encode_varint(len(create)) + create
        return StreamedCreate(parse(bytes(rest)), StreamedTokens(data, tuple(spans), count))

    return deserialize
