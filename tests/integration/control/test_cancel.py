"""Cancel: nothing starts after the call returns; without force the calls in flight finish and
are recorded, with force not even their effects start; every element that never ran ends
Canceled, and the counts add up."""

from __future__ import annotations

import time

import pytest

from batchops.devstack import Endpoints, wait_for
from batchops.domain import ElementProcessingStatus
from batchops.simulator import FleetSimulator
from batchops.wire import batch_model_pb2 as bm
from support.control import COMMAND, CONCURRENCY, invocations_of, ping_targets
from support.e2e import Api, api_of, e2e_settings, running_service

ELEMENTS = 2000
SUCCEEDED, CANCELED = ElementProcessingStatus.SUCCEEDED, ElementProcessingStatus.CANCELED


def _check_canceled(
    api: Api, simulator: FleetSimulator, tenant: str, final: bm.GBatchOperation, *, force: bool
) -> None:
    """Counts exact and consistent with the elements and the simulator's invocations."""
    assert final.processingStatus == bm.BATCH_OPERATION_STATUS_CANCELED
    assert final.processingEndedDate > 0
    assert (final.unprocessedCount, final.processingCount, final.failedCount) == (0, 0, 0)
    assert final.succeededCount + final.canceledCount == final.elementCount
    assert api.count(final, CANCELED) == final.canceledCount > 0
    succeeded = {e.deviceToken for e in api.elements(final, SUCCEEDED)}
    assert len(succeeded) == final.succeededCount
    invoked = [i.device_token for i in invocations_of(simulator, tenant, final)]
    assert simulator.duplicates(tenant) == 0
    assert len(invoked) == len(set(invoked))
    if not force:
        # Exactly one invocation per succeeded element, none for a canceled one.
        assert sorted(invoked) == sorted(succeeded)
        return
    # Forced: the elements inside a handler at the cancel are Canceled and their outcomes
    # discarded, though their invocation (awaited by the cancel) took place.
    assert set(invoked) >= succeeded
    canceled = {e.deviceToken for e in api.elements(final, CANCELED)}
    assert set(invoked) - succeeded <= canceled
    assert len(set(invoked) - succeeded) <= CONCURRENCY


@pytest.mark.parametrize("force", [False, True], ids=["graceful", "forced"])
def test_cancel_mid_processing(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str, force: bool
) -> None:
    targets = ping_targets(simulator, ELEMENTS)
    simulator.configure(latency_ms=20)
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        operation = api.invoke(COMMAND, targets)
        wait_for(
            lambda: len(invocations_of(simulator, unique_name, operation)) >= 200,
            120,
            message="some invocations before the cancel",
        )
        answer = api.cancel(operation, force=force, reason="wrong command")
        canceled_at = time.time()
        assert answer.lastControl.action == ("force-cancel" if force else "cancel")
        assert answer.lastControl.reason == "wrong command"
        final = api.wait_status(operation, bm.BATCH_OPERATION_STATUS_CANCELED, timeout=60)
        late = [i for i in invocations_of(simulator, unique_name, operation) if i.received_at > canceled_at]
        if force:
            # Effects under way were awaited before the call returned; none started after.
            assert late == []
            assert answer.processingStatus == bm.BATCH_OPERATION_STATUS_CANCELED
        else:
            # Only the calls already inside a handler may still invoke (and are recorded).
            assert len(late) <= CONCURRENCY, len(late)
        _check_canceled(api, simulator, unique_name, final, force=force)
        print(f"{'forced' if force else 'graceful'}: {len(late)} invocation(s) after the cancel returned")
