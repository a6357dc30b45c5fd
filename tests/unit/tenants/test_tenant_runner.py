from __future__ import annotations

import threading

import pytest

from batchops.config.tenant import TenantConfiguration
from batchops.devstack import wait_for
from batchops.retry import Backoff
from batchops.tenants.runner import Desired, TenantRunner
from batchops.tenants.serial import KeyedSerialExecutor
from batchops.tenants.status import TenantState


class FakeEngine:
    def __init__(self, log: list[str], config: TenantConfiguration, fail: bool, fail_stop: bool) -> None:
        self.log, self.config, self.fail, self.fail_stop = log, config, fail, fail_stop

    def start(self) -> None:
        self.log.append(f"start {self.config.throttle_delay_ms}")
        if self.fail:
            raise RuntimeError("no broker")

    def stop(self) -> None:
        self.log.append(f"stop {self.config.throttle_delay_ms}")
        if self.fail_stop:
            raise RuntimeError("stuck")


class Factory:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.failures = 0
        self.fail_stop = False

    def __call__(self, tenant_id: str, config: TenantConfiguration) -> FakeEngine:
        fail = self.failures > 0
        self.failures -= int(fail)
        return FakeEngine(self.log, config, fail, self.fail_stop)


def _desired(throttle: int) -> Desired:
    config = TenantConfiguration(throttle_delay_ms=throttle)
    return Desired(("batch-operations.json", str(throttle).encode()), config)


@pytest.fixture
def factory() -> Factory:
    return Factory()


@pytest.fixture
def runner(factory: Factory) -> TenantRunner:
    return TenantRunner("acme", factory, Backoff(initial=1, maximum=4, max_attempts=4), threading.Condition())


def test_start_then_same_key_is_a_no_op(runner: TenantRunner, factory: Factory) -> None:
    assert runner.apply(_desired(1)) is None
    assert runner.apply(_desired(1)) is None
    assert runner.apply(_desired(1), retry_due=True) is None
    assert factory.log == ["start 1"]
    status = runner.status()
    assert status.state is TenantState.RUNNING and status.started_at is not None
    assert runner.running_engine is not None


def test_new_key_restarts_stop_first(runner: TenantRunner, factory: Factory) -> None:
    runner.apply(_desired(1))
    runner.apply(_desired(2))
    assert factory.log == ["start 1", "stop 1", "start 2"]


def test_none_stops(runner: TenantRunner, factory: Factory) -> None:
    runner.apply(_desired(1))
    runner.apply(None)
    assert factory.log == ["start 1", "stop 1"]
    assert runner.status().state is TenantState.STOPPED and runner.running_engine is None


def test_invalid_configuration_stops_and_reports(runner: TenantRunner, factory: Factory) -> None:
    runner.apply(_desired(1))
    invalid = Desired(("batch-operations.json", b"{"), None, "not JSON")
    assert runner.apply(invalid) is None
    assert runner.apply(invalid, retry_due=True) is None
    status = runner.status()
    assert (status.state, status.error) == (TenantState.INVALID_CONFIG, "not JSON")
    assert factory.log == ["start 1", "stop 1"]


def test_failed_start_backs_off_then_gives_up(runner: TenantRunner, factory: Factory) -> None:
    factory.failures = 10
    assert runner.apply(_desired(1)) == 1
    assert runner.apply(_desired(1)) is None  # no retry before it is due
    assert runner.apply(_desired(1), retry_due=True) == 2
    assert runner.apply(_desired(1), retry_due=True) == 4
    assert runner.apply(_desired(1), retry_due=True) is None  # 4th failure: max_attempts reached
    status = runner.status()
    assert status.state is TenantState.FAILED and status.start_attempts == 4
    assert status.next_retry_at is None and "no broker" in (status.error or "")
    factory.failures = 0
    assert runner.apply(_desired(2)) is None  # a new configuration starts afresh
    assert runner.status().state is TenantState.RUNNING and runner.status().start_attempts == 0


def test_stop_failure_still_drops_the_engine(runner: TenantRunner, factory: Factory) -> None:
    factory.fail_stop = True
    runner.apply(_desired(1))
    factory.fail_stop = False
    runner.apply(_desired(2))
    assert factory.log == ["start 1", "stop 1", "start 2"]
    assert runner.status().state is TenantState.RUNNING


def test_backoff_is_bounded() -> None:
    backoff = Backoff(initial=0.5, maximum=10)
    assert [backoff.delay(n) for n in (1, 2, 3, 4, 5, 6, 1000)] == [0.5, 1, 2, 4, 8, 10, 10]


def test_serial_executor_one_run_per_key_coalesced_and_parallel_across_keys() -> None:
    lock = threading.Lock()
    running: dict[str, int] = {}
    runs: dict[str, int] = {}
    overlaps: list[str] = []
    both_busy = threading.Barrier(2, timeout=5)
    release = threading.Event()

    def handler(key: str) -> None:
        with lock:
            running[key] = running.get(key, 0) + 1
            runs[key] = runs.get(key, 0) + 1
            if running[key] > 1:
                overlaps.append(key)
            first = runs[key] == 1
        if first:
            both_busy.wait()  # "a" and "b" run at the same time
            release.wait(5)  # requests for the same key pile up meanwhile
        with lock:
            running[key] -= 1

    executor = KeyedSerialExecutor(handler, workers=4, name="test")
    executor.request("a")
    executor.request("b")
    wait_for(lambda: running.get("a") == 1 and running.get("b") == 1, timeout=5)
    for _ in range(19):
        executor.request("a")
        executor.request("b")
    release.set()
    wait_for(lambda: runs.get("a", 0) == 2 and runs.get("b", 0) == 2, timeout=5)
    executor.shutdown()
    assert overlaps == []
    assert runs == {"a": 2, "b": 2}  # the first run, then one for all 19 requests made during it
    assert executor.request("a") is False
