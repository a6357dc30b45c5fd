"""What the tenant engine manager needs from a tenant engine (implemented by the service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from batchops.config.tenant import TenantConfiguration


class ManagedEngine(Protocol):
    def start(self) -> None:
        """Block until the engine serves; raise on failure (the manager retries with backoff)."""

    def stop(self) -> None:
        """Block until stopped: leave consumer groups, flush producers."""


EngineFactory = Callable[[str, TenantConfiguration], ManagedEngine]
"""(tenant_id, config) -> a new, not yet started engine. Called once per start attempt."""
