"""How a request to create an operation is built, whatever the entry point.

The gRPC creates, the criteria RPCs and the Kafka operations topic all build their
``OperationCreate`` here, so they accept and refuse the same input with the same messages.
What a ``BatchCommandInvocation`` is lives here once: its command token is its one parameter, and
its parameter values are kept apart from metadata (SiteWhere shows them as metadata; the handler
reads the separate copy, which no metadata update can wipe).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from batchops.domain.errors import InvalidArgument
from batchops.domain.models import (
    BATCH_COMMAND_INVOCATION,
    PARAM_COMMAND_TOKEN,
    BatchOperation,
    OperationCreate,
)
from batchops.domain.validation import check_operation_type, check_string_map, check_token


def optional_token(token: str) -> str | None:
    """An operation's own token: optional (the store makes one up), checked when given."""
    return check_token(token) if token else None


def command_token(token: str) -> str:
    """The token of the command a BatchCommandInvocation invokes: required, and checked."""
    if not token:
        raise InvalidArgument("Command token is required.")
    return check_token(token, "command token")


def command_invocation(
    *, token: str, command: str, parameter_values: Mapping[str, str], targeting: str
) -> OperationCreate:
    """A BatchCommandInvocation from its parts (CreateBatchCommandInvocation, the criteria RPCs).
    ``token`` is the operation's own token, empty for none (as every factory here takes it)."""
    checked_token = optional_token(token)
    checked_command = command_token(command)
    values = check_string_map(parameter_values, "parameter values")
    return OperationCreate(
        token=checked_token,
        operation_type=BATCH_COMMAND_INVOCATION,
        parameters={PARAM_COMMAND_TOKEN: checked_command},
        metadata=values,
        invocation_parameters=values,
        targeting=targeting,
    )


def generic_operation(
    operation_type: str,
    *,
    token: str,
    parameters: Mapping[str, str],
    metadata: Mapping[str, str],
    targeting: str,
) -> OperationCreate:
    """Any operation type in SiteWhere's generic form, as CreateBatchOperation sends it: the
    handler of the type checks its parameters (``OperationHandler.validate``)."""
    return OperationCreate(
        token=optional_token(token),
        operation_type=check_operation_type(operation_type),
        parameters=check_string_map(parameters, "parameters"),
        metadata=check_string_map(metadata, "metadata"),
        targeting=targeting,
    )


def published_operation(
    operation_type: str,
    *,
    token: str,
    parameters: Mapping[str, str],
    metadata: Mapping[str, str],
    targeting: str,
) -> OperationCreate:
    """An operation another service published on the operations topic, in the generic form.

    SiteWhere's services publish a BatchCommandInvocation with its command token among the
    parameters and its parameter values as metadata: both are checked as CreateBatchCommandInvocation
    checks them, and the values are kept apart from metadata as there.
    """
    create = generic_operation(
        operation_type, token=token, parameters=parameters, metadata=metadata, targeting=targeting
    )
    if create.operation_type != BATCH_COMMAND_INVOCATION:
        return create
    command_token(create.parameters.get(PARAM_COMMAND_TOKEN, ""))
    return create.model_copy(update={"invocation_parameters": create.metadata})


def operation_from(
    create: OperationCreate, operation_id: uuid.UUID, created_date: datetime, *, target_chunk_count: int = 0
) -> BatchOperation:
    """The new operation a create request makes (its token defaults to its id)."""
    return BatchOperation(
        id=operation_id,
        token=create.token or str(operation_id),
        operation_type=create.operation_type,
        parameters=create.parameters,
        metadata=create.metadata,
        invocation_parameters=create.invocation_parameters,
        created_date=created_date,
        created_by=create.created_by,
        target_chunk_count=target_chunk_count,
        targeting=create.targeting,
    )
