"""The pipeline's view of a tenant's store, one part per concern: operation reads and progress,
initialization chunk by chunk, claims with leases, outcomes, finishing, and recovery queries.

Every status change is a compare-and-set; counters move around the change that caused them
(``counters.leave`` before, ``counters.arrive`` after), so a crash between the writes leaves them
lagging, never ahead, and finishing an operation writes its exact counts.
"""
