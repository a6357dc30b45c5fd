"""Status enums and their allowed transitions, as data (the engine and the API both obey them)."""

from __future__ import annotations

from enum import StrEnum


class BatchOperationStatus(StrEnum):
    UNPROCESSED = "Unprocessed"
    INITIALIZING = "Initializing"
    INITIALIZED_SUCCESSFULLY = "InitializedSuccessfully"
    INITIALIZED_WITH_ERRORS = "InitializedWithErrors"
    FINISHED_SUCCESSFULLY = "FinishedSuccessfully"
    FINISHED_WITH_ERRORS = "FinishedWithErrors"

    @property
    def is_final(self) -> bool:
        return self in FINAL_OPERATION_STATUSES

    @property
    def is_initialized(self) -> bool:
        return self in (
            BatchOperationStatus.INITIALIZED_SUCCESSFULLY,
            BatchOperationStatus.INITIALIZED_WITH_ERRORS,
        )


class ElementProcessingStatus(StrEnum):
    UNPROCESSED = "Unprocessed"
    PROCESSING = "Processing"
    FAILED = "Failed"
    SUCCEEDED = "Succeeded"

    @property
    def is_final(self) -> bool:
        return self in FINAL_ELEMENT_STATUSES


FINAL_OPERATION_STATUSES = frozenset(
    {BatchOperationStatus.FINISHED_SUCCESSFULLY, BatchOperationStatus.FINISHED_WITH_ERRORS}
)
FINAL_ELEMENT_STATUSES = frozenset({ElementProcessingStatus.SUCCEEDED, ElementProcessingStatus.FAILED})

_OP = BatchOperationStatus
# Finishing is only allowed once initialization is over: before that the element total is unknown.
OPERATION_TRANSITIONS: dict[BatchOperationStatus, frozenset[BatchOperationStatus]] = {
    _OP.UNPROCESSED: frozenset({_OP.INITIALIZING}),
    _OP.INITIALIZING: frozenset({_OP.INITIALIZED_SUCCESSFULLY, _OP.INITIALIZED_WITH_ERRORS}),
    _OP.INITIALIZED_SUCCESSFULLY: frozenset({_OP.FINISHED_SUCCESSFULLY, _OP.FINISHED_WITH_ERRORS}),
    _OP.INITIALIZED_WITH_ERRORS: frozenset({_OP.FINISHED_SUCCESSFULLY, _OP.FINISHED_WITH_ERRORS}),
    _OP.FINISHED_SUCCESSFULLY: frozenset(),
    _OP.FINISHED_WITH_ERRORS: frozenset(),
}

_EL = ElementProcessingStatus
# Processing -> Unprocessed is the hand-back of an element whose worker died (lease expired).
ELEMENT_TRANSITIONS: dict[ElementProcessingStatus, frozenset[ElementProcessingStatus]] = {
    _EL.UNPROCESSED: frozenset({_EL.PROCESSING, _EL.SUCCEEDED, _EL.FAILED}),
    _EL.PROCESSING: frozenset({_EL.SUCCEEDED, _EL.FAILED, _EL.UNPROCESSED}),
    _EL.SUCCEEDED: frozenset(),
    _EL.FAILED: frozenset(),
}


def operation_transition_allowed(current: BatchOperationStatus, new: BatchOperationStatus) -> bool:
    """A status may always be 'set' to itself (idempotent re-delivery); otherwise follow the table."""
    return new == current or new in OPERATION_TRANSITIONS[current]


def element_transition_allowed(current: ElementProcessingStatus, new: ElementProcessingStatus) -> bool:
    return new == current or new in ELEMENT_TRANSITIONS[current]
