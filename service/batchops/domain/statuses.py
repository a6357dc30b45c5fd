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
    # Operator control (batchops extensions): set only by the cancel/pause/resume/retry calls.
    PAUSED = "Paused"
    CANCELING = "Canceling"
    CANCELED = "Canceled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_OPERATION_STATUSES

    @property
    def is_finished(self) -> bool:
        """Finished* (processing ran to its end), as opposed to Canceled."""
        return self in (BatchOperationStatus.FINISHED_SUCCESSFULLY, BatchOperationStatus.FINISHED_WITH_ERRORS)

    @property
    def runs(self) -> bool:
        """Whether fan-out and element processing may go on (not paused, canceling or final)."""
        return self in RUNNING_OPERATION_STATUSES

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
    # The element's operation was canceled before the element ran (or, forced, while it ran).
    CANCELED = "Canceled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_ELEMENT_STATUSES


FINAL_OPERATION_STATUSES = frozenset(
    {
        BatchOperationStatus.FINISHED_SUCCESSFULLY,
        BatchOperationStatus.FINISHED_WITH_ERRORS,
        BatchOperationStatus.CANCELED,
    }
)
RUNNING_OPERATION_STATUSES = frozenset(
    {
        BatchOperationStatus.UNPROCESSED,
        BatchOperationStatus.INITIALIZING,
        BatchOperationStatus.INITIALIZED_SUCCESSFULLY,
        BatchOperationStatus.INITIALIZED_WITH_ERRORS,
    }
)
# The statuses an operator's control calls set; UpdateBatchOperation neither sets nor leaves them.
CONTROL_OPERATION_STATUSES = frozenset(
    {BatchOperationStatus.PAUSED, BatchOperationStatus.CANCELING, BatchOperationStatus.CANCELED}
)
FINAL_ELEMENT_STATUSES = frozenset(
    {ElementProcessingStatus.SUCCEEDED, ElementProcessingStatus.FAILED, ElementProcessingStatus.CANCELED}
)

_OP = BatchOperationStatus
# The transitions of the engine's own run and of UpdateBatchOperation. Finishing is only allowed
# once initialization is over: before that the element total is unknown. The control statuses
# have none here: only the cancel/pause/resume/retry calls move into or out of them.
OPERATION_TRANSITIONS: dict[BatchOperationStatus, frozenset[BatchOperationStatus]] = {
    _OP.UNPROCESSED: frozenset({_OP.INITIALIZING}),
    _OP.INITIALIZING: frozenset({_OP.INITIALIZED_SUCCESSFULLY, _OP.INITIALIZED_WITH_ERRORS}),
    _OP.INITIALIZED_SUCCESSFULLY: frozenset({_OP.FINISHED_SUCCESSFULLY, _OP.FINISHED_WITH_ERRORS}),
    _OP.INITIALIZED_WITH_ERRORS: frozenset({_OP.FINISHED_SUCCESSFULLY, _OP.FINISHED_WITH_ERRORS}),
    _OP.FINISHED_SUCCESSFULLY: frozenset(),
    _OP.FINISHED_WITH_ERRORS: frozenset(),
    _OP.PAUSED: frozenset(),
    _OP.CANCELING: frozenset(),
    _OP.CANCELED: frozenset(),
}

_EL = ElementProcessingStatus
# Processing -> Unprocessed is the hand-back of an element whose worker died (lease expired) or
# stopped (pause, shutdown, an unavailable dependency). A retry sends Failed or Canceled elements
# back to Unprocessed too, but only through RetryBatchOperation (a new round), never this table.
ELEMENT_TRANSITIONS: dict[ElementProcessingStatus, frozenset[ElementProcessingStatus]] = {
    _EL.UNPROCESSED: frozenset({_EL.PROCESSING, _EL.SUCCEEDED, _EL.FAILED, _EL.CANCELED}),
    _EL.PROCESSING: frozenset({_EL.SUCCEEDED, _EL.FAILED, _EL.UNPROCESSED, _EL.CANCELED}),
    _EL.SUCCEEDED: frozenset(),
    _EL.FAILED: frozenset(),
    _EL.CANCELED: frozenset(),
}


def operation_transition_allowed(current: BatchOperationStatus, new: BatchOperationStatus) -> bool:
    """A status may always be 'set' to itself (idempotent re-delivery); otherwise follow the table."""
    return new == current or new in OPERATION_TRANSITIONS[current]


def element_transition_allowed(current: ElementProcessingStatus, new: ElementProcessingStatus) -> bool:
    return new == current or new in ELEMENT_TRANSITIONS[current]
