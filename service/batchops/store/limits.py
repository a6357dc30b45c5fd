"""Named bounds of what the store writes and reads at once."""

from __future__ import annotations

# Error texts (a handler's exception, a remote service's answer, a publish failure) can be any
# length; stored ones are cut to this many characters so one runaway message cannot bloat every
# element document it lands on, nor the list pages and failure records that carry it.
MAX_ERROR_CHARS = 2000

# Device tokens per query when telling a chunk's duplicates apart (an index range on (op, token),
# so a larger ``$in`` than the claim pieces' costs little).
DUPLICATE_LOOKUP_TOKENS = 500

# At most this many expired leases are requeued per recovery sweep; the rest wait for the next.
EXPIRED_LEASES_PER_SWEEP = 10_000

# Cursor batch when streaming an operation's unprocessed elements for re-publishing.
UNPROCESSED_STREAM_BATCH = 5_000
