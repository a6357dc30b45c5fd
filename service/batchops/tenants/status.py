"""Reported state of each tenant engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from batchops.config.tenant import TenantConfiguration


class TenantState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"
    FAILED = "failed"  # the last start failed; a retry is scheduled unless attempts ran out
    INVALID_CONFIG = "invalid-config"  # not started until its configuration changes


@dataclass(frozen=True)
class TenantStatus:
    tenant_id: str
    state: TenantState
    error: str | None = None
    config: TenantConfiguration | None = None
    config_source: str | None = None  # node name the configuration came from, or "defaults"
    started_at: datetime | None = None
    start_attempts: int = 0  # failed attempts since the configuration last changed
    next_retry_at: datetime | None = None
