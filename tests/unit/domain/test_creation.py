"""One creation path: what each entry point's create request holds, and what it refuses."""

from __future__ import annotations

import pytest

from batchops.domain import BATCH_COMMAND_INVOCATION, InvalidArgument
from batchops.domain.creation import command_invocation, generic_operation, published_operation


def test_a_command_invocation_keeps_its_parameter_values_apart_from_metadata() -> None:
    create = command_invocation(
        token="op-1", command="reboot", parameter_values={"delay": "5"}, targeting="t"
    )
    assert create.operation_type == BATCH_COMMAND_INVOCATION
    assert create.token == "op-1" and create.targeting == "t"
    assert create.parameters == {"commandToken": "reboot"}
    assert create.metadata == {"delay": "5"} and create.invocation_parameters == {"delay": "5"}


def test_an_empty_operation_token_means_none() -> None:
    assert command_invocation(token="", command="ping", parameter_values={}, targeting="").token is None
    assert generic_operation("Noop", token="", parameters={}, metadata={}, targeting="").token is None


@pytest.mark.parametrize(
    ("token", "command", "values", "message"),
    [
        ("", "", {}, "Command token is required"),
        ("", "bad token", {}, "Invalid command token"),
        ("bad token", "ping", {}, "Invalid token"),
        ("", "ping", {"$key": "v"}, "Invalid parameter values key"),
    ],
)
def test_a_command_invocation_is_checked(
    token: str, command: str, values: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidArgument, match=message):
        command_invocation(token=token, command=command, parameter_values=values, targeting="")


def test_a_generic_operation_checks_its_type_and_maps() -> None:
    with pytest.raises(InvalidArgument, match="Operation type is required"):
        generic_operation("", token="", parameters={}, metadata={}, targeting="")
    with pytest.raises(InvalidArgument, match="Invalid metadata key"):
        generic_operation("Noop", token="", parameters={}, metadata={"a.b": "x"}, targeting="")
    create = generic_operation(
        "Noop", token="op-2", parameters={"p": "1"}, metadata={"m": "2"}, targeting="t"
    )
    assert (create.parameters, create.metadata, create.invocation_parameters) == ({"p": "1"}, {"m": "2"}, {})


def test_a_published_command_invocation_carries_its_values_as_metadata() -> None:
    create = published_operation(
        BATCH_COMMAND_INVOCATION,
        token="op-3",
        parameters={"commandToken": "reboot", "extra": "kept"},
        metadata={"delay": "5"},
        targeting="operations topic",
    )
    assert create.parameters == {"commandToken": "reboot", "extra": "kept"}
    assert create.metadata == create.invocation_parameters == {"delay": "5"}
    with pytest.raises(InvalidArgument, match="Command token is required"):
        published_operation(BATCH_COMMAND_INVOCATION, token="", parameters={}, metadata={}, targeting="")
    with pytest.raises(InvalidArgument, match="Invalid command token"):
        published_operation(
            BATCH_COMMAND_INVOCATION, token="", parameters={"commandToken": " x"}, metadata={}, targeting=""
        )


def test_other_published_types_keep_metadata_as_metadata() -> None:
    create = published_operation("Noop", token="", parameters={}, metadata={"m": "1"}, targeting="")
    assert create.invocation_parameters == {}
