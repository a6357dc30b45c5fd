"""Field names of the documents the store writes: one spelling each, shared by every query.

The names are the stored schema (existing databases hold them), so they never change here; only
the constants that spell them are named for what they hold.
"""

from __future__ import annotations

from batchops.domain import ElementProcessingStatus

# ---- every collection ---------------------------------------------------------------------
ID = "_id"
STATUS = "status"
TOKEN = "token"  # an operation's token, an element's or a tombstone's device/operation token
META = "meta"
OP = "op"  # the operation an element or a target chunk belongs to

# ---- operations ---------------------------------------------------------------------------
TYPE = "type"
PARAMS = "params"
INVOCATION_PARAMS = "invocationParams"
STARTED_DATE = "startedDate"
ENDED_DATE = "endedDate"
CREATED_DATE = "createdDate"
CREATED_BY = "createdBy"
UPDATED_DATE = "updatedDate"
UPDATED_BY = "updatedBy"
COUNTS = "counts"  # per-status element counters: {status: n}
TOTAL = "total"  # elements stored for the operation
TOKEN_COUNT = "tokenCount"
CHUNK_COUNT = "chunkCount"
TARGETING = "targeting"
LAST_ERROR = "lastError"
# Set once the operation's records are on the operations topic (recovery re-publishes the others).
PUBLISHED = "published"
# Last time initialization or processing of the operation moved (holds off the init timeout).
PROGRESS_DATE = "progressDate"
CHUNKS_DONE = "chunksDone"  # indexes of the target chunks already counted in
INIT_ERRORS = "initErrors"  # invalid device tokens met while initializing
RESUME_PHASE = "resumePhase"  # the phase a Paused operation resumes in (a finished one: its last phase)
FORCE_CANCEL = "forceCancel"  # a Canceling operation was canceled with force
CONTROL = "control"  # the last operator action: {action, by, date, reason}
CONTROL_ACTION = "action"
CONTROL_BY = "by"
CONTROL_DATE = "date"
CONTROL_REASON = "reason"
WAITING_ON = "waitingOn"  # what processing waits for (an unavailable dependency)
ROUND = "round"  # 0, then +1 per retry (on operations and elements)
# Status changes not yet on the operation events topic, oldest first (an outbox: pushed in the
# same write as the change, removed once published).
PENDING_EVENTS = "pendingEvents"
EVENT_SEQ = "eventSeq"  # the sequence number of the operation's last event
# True while events are pending (absent otherwise): what the relay's query finds through a
# sparse index, instead of scanning every operation ever created for a non-empty outbox.
EVENTS_PENDING = "eventsPending"
# The relay that is publishing the pending events right now: {by, until} (a short lease).
EVENT_CLAIM = "eventClaim"

# ---- elements -----------------------------------------------------------------------------
DEVICE = "device"
SEQ = "seq"
PROCESSED_DATE = "processedDate"
ERROR = "error"
ATTEMPTS = "attempts"
DURATION_MS = "durationMs"
CLAIM = "claim"  # the token of the claim that holds a Processing element
LEASE_UNTIL = "leaseUntil"  # when a Processing element's claim expires
EARLIER_ROUNDS = "earlierRounds"  # how the element ended in earlier rounds: [{round, status, ...}]

# ---- target chunks ------------------------------------------------------------------------
IDX = "idx"
TOKENS = "tokens"

# ---- tombstones (deleted operations) ------------------------------------------------------
DELETED_DATE = "deletedDate"
SWEEP_PENDING = "sweepPending"

# The counter of each element status, as a dotted path into ``COUNTS``.
COUNT_FIELDS = {status: f"{COUNTS}.{status.value}" for status in ElementProcessingStatus}


def meta_field(key: str) -> str:
    """The dotted path of one metadata entry (updates merge key by key)."""
    return f"{META}.{key}"
