"""One tenant's engine brought to a desired state: started, restarted on a new configuration, stopped.

``apply`` is only ever called by one thread at a time for a given tenant (see ``serial.py``); the
lock only guards what ``status()`` reads from other threads. Engine calls happen outside it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from batchops.config.tenant import TenantConfiguration
from batchops.retry import Backoff
from batchops.tenants.managed_engine import EngineFactory, ManagedEngine
from batchops.tenants.status import TenantState, TenantStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Desired:
    """What should run: ``key`` identifies the configuration (its node and bytes) for idempotence."""

    key: tuple[str, bytes]
    config: TenantConfiguration | None
    error: str | None = None  # set when the configuration is invalid


class TenantRunner:
    def __init__(
        self, tenant_id: str, factory: EngineFactory, backoff: Backoff, on_change: threading.Condition
    ) -> None:
        self.tenant_id = tenant_id
        self._factory = factory
        self._backoff = backoff
        self._changed = on_change
        self._lock = threading.Lock()
        self._engine: ManagedEngine | None = None
        self._key: tuple[str, bytes] | None = None
        self._status = TenantStatus(tenant_id, TenantState.STOPPED)
        self._log_extra = {"tenant": tenant_id}

    @property
    def running_engine(self) -> ManagedEngine | None:
        with self._lock:
            return self._engine if self._status.state is TenantState.RUNNING else None

    def status(self) -> TenantStatus:
        with self._lock:
            return self._status

    def apply(self, desired: Desired | None, retry_due: bool = False) -> float | None:
        """Converge on ``desired`` (None: stopped). Returns seconds after which to retry a failed start."""
        if desired is None:
            self._stop_engine()
            return None
        if desired.key != self._key:
            if self._engine is not None:
                log.info("tenant configuration changed: restarting its engine", extra=self._log_extra)
            self._stop_engine()
            self._key = desired.key
            self._set(TenantStatus(self.tenant_id, TenantState.STOPPED, config_source=desired.key[0]))
            if desired.error is not None or desired.config is None:
                log.error("invalid tenant configuration: %s", desired.error, extra=self._log_extra)
                self._set(replace(self._status, state=TenantState.INVALID_CONFIG, error=desired.error))
                return None
            return self._start(desired.config)
        state = self.status().state
        if desired.config is not None and (
            state is TenantState.STOPPED or (state is TenantState.FAILED and retry_due)
        ):
            return self._start(desired.config)
        return None  # already converged (running, invalid, or failed with a retry pending)

    def _start(self, config: TenantConfiguration) -> float | None:
        self._set(replace(self._status, state=TenantState.STARTING, config=config, next_retry_at=None))
        try:
            engine = self._factory(self.tenant_id, config)
            engine.start()
        except Exception as exc:
            attempts = self._status.start_attempts + 1
            delay = self._backoff.delay(attempts)
            retry_at = datetime.now(UTC) + timedelta(seconds=delay) if delay is not None else None
            log.warning(
                "tenant engine failed to start (attempt %d): %s; %s",
                attempts,
                exc,
                f"retrying in {delay:g} s"
                if delay is not None
                else "giving up until its configuration changes",
                extra=self._log_extra,
                exc_info=True,
            )
            self._set(
                replace(
                    self._status,
                    state=TenantState.FAILED,
                    error=f"{type(exc).__name__}: {exc}",
                    start_attempts=attempts,
                    next_retry_at=retry_at,
                )
            )
            return delay
        with self._lock:
            self._engine = engine
        log.info("tenant engine running", extra=self._log_extra)
        self._set(
            replace(
                self._status,
                state=TenantState.RUNNING,
                error=None,
                started_at=datetime.now(UTC),
                start_attempts=0,
            )
        )
        return None

    def _stop_engine(self) -> None:
        engine = self._engine
        if engine is None:
            if self._status.state in (TenantState.FAILED, TenantState.STARTING):
                self._set(replace(self._status, state=TenantState.STOPPED, next_retry_at=None))
            return
        self._set(replace(self._status, state=TenantState.STOPPING))
        try:
            engine.stop()
        except Exception as exc:
            # The engine is dropped anyway: a fresh one is built on the next start.
            log.error("tenant engine failed to stop cleanly: %s", exc, extra=self._log_extra, exc_info=True)
        with self._lock:
            self._engine = None
        log.info("tenant engine stopped", extra=self._log_extra)
        self._set(replace(self._status, state=TenantState.STOPPED, started_at=None))

    def _set(self, status: TenantStatus) -> None:
        with self._lock:
            self._status = status
        with self._changed:
            self._changed.notify_all()
