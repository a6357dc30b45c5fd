"""How a tenant's processor is set up: its policy (from the tenant configuration), where its
records go besides the store, and what each handler call gets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from batchops.domain import BatchElement
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.handlers import HandlerRegistry, HandlerServices
from batchops.engine.outages import OutageHandling
from batchops.engine.ports import RecordSender


@dataclass(frozen=True)
class ProcessingPolicy:
    """How a tenant's elements are processed (from its configuration)."""

    concurrency: int
    lease: timedelta
    max_attempts: int
    handler_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class ElementOutputs:
    """Where a batch's records go besides the store: failed elements, undecodable records, and
    elements to run again."""

    producer: RecordSender
    failed_topic: str
    dead_letters: DeadLetters
    # Sends element records again (elements handed back that must run after all).
    republish: Callable[[Sequence[BatchElement]], int]


def _no_token() -> str | None:
    return None


@dataclass(frozen=True)
class HandlerAccess:
    """What a handler call gets: the handler itself, the services it may call, a token to call
    with, and the tenant's circuits that hold calls while a dependency is unavailable."""

    registry: HandlerRegistry
    services: HandlerServices | None = None
    auth_token: Callable[[], str | None] = _no_token
    outages: OutageHandling = field(default_factory=OutageHandling)
