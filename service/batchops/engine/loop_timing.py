"""How a consumer loop polls, backs off, holds its partitions, stops, and tells it is wedged."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoopTiming:
    """How a consumer loop polls, backs off and stops (seconds)."""

    poll_timeout: float = 0.2
    # After a failed batch, before the same records come again.
    retry_backoff: float = 1.0
    # After a crash, before a fresh consumer starts; doubles up to the maximum.
    restart_backoff: float = 1.0
    max_restart_backoff: float = 30.0
    # On stop, how long a running batch may still take before its member leaves the group
    # anyway (a hung handler must not hold the partitions of a stopped engine).
    stop_grace: float = 20.0
    # While no batch runs, how often the assignment is resumed anyway: nothing is meant to be
    # paused then, and a pause left by a resume that failed or did not take (librdkafka applies
    # both asynchronously) must not stop a partition for good.
    idle_resume: float = 5.0
    # A batch shorter than this neither pauses nor polls: librdkafka restarts a partition's
    # fetching after a pause/resume only once its long-poll fetch ends (up to fetch.wait.max.ms),
    # which cost up to half a second per batch and starved some partitions.
    pause_after: float = 1.0
    wedged: WedgeLimits = field(default_factory=lambda: WedgeLimits())


@dataclass(frozen=True)
class WedgeLimits:
    """When a consumer is presumed wedged and replaced, and how long its close is waited for."""

    # A commit unanswered this long (``messaging.offset_commits``; librdkafka's request timeout is 60 s).
    commit_timeout: float = 60.0
    # How long stopping or replacing a consumer waits for its close (leaving the group).
    close_timeout: float = 10.0
    # Nothing received this long while records wait on the assignment (``engine.stall_watch``;
    # only with a ``backlog`` source).
    stall_timeout: float = 60.0
