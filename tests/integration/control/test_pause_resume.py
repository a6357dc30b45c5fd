"""Pause stops an operation's work within the in-flight handler calls, resume carries it on to
the exact result it would have had, nothing invoked twice."""

from __future__ import annotations

import time

from batchops.devstack import Endpoints, wait_for
from batchops.domain import ElementProcessingStatus
from batchops.messaging.lag import LagUnavailable
from batchops.ops.views import uuid_text
from batchops.simulator import FleetSimulator
from batchops.wire import batch_model_pb2 as bm
from support.control import COMMAND, CONCURRENCY, invocations_of, ping_targets
from support.e2e import api_of, check_results, e2e_settings, expected_errors, running_service

ELEMENTS = 2000
# Per simulator call: slow enough that the elements left after the first 300 invocations take
# seconds even on an idle machine, so the pause lands mid-processing (5,000 at +20 ms before).
LATENCY_MS = 50
PROCESSING, SUCCEEDED = ElementProcessingStatus.PROCESSING, ElementProcessingStatus.SUCCEEDED


def test_pause_stops_new_work_and_resume_finishes_exactly(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    targets = ping_targets(simulator, ELEMENTS)
    simulator.configure(latency_ms=LATENCY_MS)
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        engine = service.static_engines[unique_name]
        operation = api.invoke(COMMAND, targets)
        wait_for(
            lambda: len(invocations_of(simulator, unique_name, operation)) >= 300,
            120,
            message="some invocations before the pause",
        )
        paused = api.pause(operation, reason="maintenance window")
        paused_at = time.time()
        assert paused.processingStatus == bm.BATCH_OPERATION_STATUS_PAUSED
        assert paused.pausedPhase in (
            bm.BATCH_OPERATION_STATUS_INITIALIZING,
            bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
        )
        assert (paused.lastControl.action, paused.lastControl.reason) == ("pause", "maintenance window")

        # The handler calls in flight finish and are recorded; then nothing is Processing, and
        # every record already on the topic has been consumed (skipped) while paused.
        wait_for(lambda: api.count(operation, PROCESSING) == 0, 60, message="in-flight calls done")
        lag = engine.lag
        assert lag is not None
        wait_for(
            lambda: lag.read().get("elements") == 0,
            60,
            message="element records consumed",
            ignore=(LagUnavailable,),
        )
        held = api.get(operation.id)
        assert held.processingStatus == bm.BATCH_OPERATION_STATUS_PAUSED
        seen = invocations_of(simulator, unique_name, operation)
        late = [i.received_at - paused_at for i in seen if i.received_at > paused_at]
        # Only calls already inside a handler when the pause returned may still invoke.
        assert len(late) <= CONCURRENCY, len(late)
        assert len(seen) == len(api.elements(operation, SUCCEEDED)) < ELEMENTS
        print(
            f"{len(late)} invocation(s) after the pause returned, the last {max(late, default=0):.3f} s after"
        )

        resumed = api.resume(operation, reason="window over")
        assert resumed.processingStatus in (
            bm.BATCH_OPERATION_STATUS_INITIALIZING,
            bm.BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY,
            bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY,
        )
        final = api.wait_status(operation, bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY)
        assert (final.succeededCount, final.failedCount, final.canceledCount) == (ELEMENTS, 0, 0)
        check_results(api, simulator, final, expected_errors(simulator.fleet, targets, COMMAND), {})
        assert simulator.duplicates(unique_name) == 0
        assert uuid_text(final.id) == uuid_text(operation.id)
