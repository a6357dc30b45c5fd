"""The streamed create parser reads exactly what protobuf's parser reads, and refuses what it
refuses."""

from __future__ import annotations

import pytest
from google.protobuf.message import DecodeError
from hypothesis import given, settings
from hypothesis import strategies as st

from batchops.api.streamed_tokens import StreamedCreate, WireFormatError, streamed_create_parser
from batchops.wire import batch_management_pb2 as bms
from batchops.wire import batch_model_pb2 as bm
from batchops.wire import sitewhere_common_pb2 as common

parse_operation = streamed_create_parser(bms.GCreateBatchOperationRequest.FromString)
parse_invocation = streamed_create_parser(bms.GCreateBatchCommandInvocationRequest.FromString)


def _both(data: bytes) -> tuple[StreamedCreate, bms.GCreateBatchOperationRequest]:
    return parse_operation(data), bms.GCreateBatchOperationRequest.FromString(data)


def _same(streamed: StreamedCreate, parsed: bms.GCreateBatchOperationRequest) -> None:
    assert list(streamed.tokens) == list(parsed.request.deviceTokens)
    assert len(streamed.tokens) == len(parsed.request.deviceTokens)
    without = type(parsed)()
    without.CopyFrom(parsed)
    if without.HasField("request"):
        del without.request.deviceTokens[:]
    assert streamed.message == without
    assert streamed.message.HasField("request") == parsed.HasField("request")


tokens = st.lists(st.text(min_size=0, max_size=300), max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    tokens=tokens,
    token=st.one_of(st.none(), st.text(max_size=20)),
    params=st.dictionaries(st.text(), st.text()),
)
def test_well_formed_requests_read_as_protobuf_reads_them(
    tokens: list[str], token: str | None, params: dict[str, str]
) -> None:
    request = bm.GBatchOperationCreateRequest(operationType="Noop", parameters=params, deviceTokens=tokens)
    if token is not None:
        request.token.CopyFrom(common.GOptionalString(value=token))
    _same(*_both(bms.GCreateBatchOperationRequest(request=request).SerializeToString()))


def test_repeated_request_fields_merge_as_in_protobuf() -> None:
    first = bms.GCreateBatchOperationRequest(
        request=bm.GBatchOperationCreateRequest(operationType="A", deviceTokens=["a", "b"])
    ).SerializeToString()
    second = bms.GCreateBatchOperationRequest(
        request=bm.GBatchOperationCreateRequest(parameters={"k": "v"}, deviceTokens=["c"])
    ).SerializeToString()
    streamed, parsed = _both(first + second)
    _same(streamed, parsed)
    assert list(streamed.tokens) == ["a", "b", "c"] and streamed.message.request.operationType == "A"


def test_an_empty_request_and_an_empty_create_message() -> None:
    _same(*_both(b""))
    _same(
        *_both(
            bms.GCreateBatchOperationRequest(request=bm.GBatchOperationCreateRequest()).SerializeToString()
        )
    )


def test_a_token_tag_written_in_two_bytes_is_still_a_token() -> None:
    inner = b"\xa2\x00\x03abc" + b"\x22\x01d"  # field 4 / wire type 2 as an overlong varint, then plain
    data = b"\x0a" + bytes([len(inner)]) + inner
    streamed, parsed = _both(data)
    assert list(streamed.tokens) == ["abc", "d"] == list(parsed.request.deviceTokens)


def test_command_invocation_requests_too() -> None:
    request = bms.GCreateBatchCommandInvocationRequest(
        request=bm.GBatchCommandInvocationCreateRequest(commandToken="reboot", deviceTokens=["x", "y"])
    )
    streamed = parse_invocation(request.SerializeToString())
    assert list(streamed.tokens) == ["x", "y"] and streamed.message.request.commandToken == "reboot"


@pytest.mark.parametrize(
    "data",
    [
        b"\x0a\x05\x22\x03ab",  # token runs past its message
        b"\x0a\x04\x22\x02\xff\xfe",  # token not UTF-8
        b"\x0a\x02\x22",  # token length missing
        b"\x0a\x09",  # message runs past the end
        b"\x0a\x02\x00\x00",  # field number 0
        b"\x0a\x02\x23\x00",  # a group
        b"\x0a\x0b\x08" + b"\xff" * 10,  # overlong varint
    ],
)
def test_malformed_bytes_are_refused(data: bytes) -> None:
    with pytest.raises((WireFormatError, UnicodeDecodeError)):
        parse_operation(data)
    with pytest.raises(DecodeError):
        bms.GCreateBatchOperationRequest.FromString(data)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_never_read_differently(data: bytes) -> None:
    """Random bytes: either both parsers refuse, or we refuse (stricter on groups), or both
    read the same request."""
    try:
        parsed = bms.GCreateBatchOperationRequest.FromString(data)
    except DecodeError:
        parsed = None
    try:
        streamed = parse_operation(data)
    except (WireFormatError, UnicodeDecodeError, DecodeError):
        return
    assert parsed is not None
    _same(streamed, parsed)
