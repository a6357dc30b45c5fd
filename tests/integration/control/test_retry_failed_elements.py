"""Retry: after failures that are then cured, only the failed elements run again (a new round,
their earlier outcome kept), exactly once each, and the operation finishes again, successfully."""

from __future__ import annotations

from batchops.devstack import Endpoints
from batchops.domain import ElementProcessingStatus
from batchops.simulator import FleetSimulator
from batchops.wire import batch_model_pb2 as bm
from support.control import COMMAND, invocations_of, ping_targets
from support.e2e import api_of, e2e_settings, running_service

ELEMENTS = 1000
REFUSING = 150  # every sixth device
FAILED, SUCCEEDED = ElementProcessingStatus.FAILED, ElementProcessingStatus.SUCCEEDED


def test_retry_runs_the_failed_elements_once_more_and_finishes_successfully(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    targets = ping_targets(simulator, ELEMENTS)
    refusing = frozenset(targets[::6][:REFUSING])
    assert len(refusing) == REFUSING
    simulator.refuse_invocations(refusing)
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        operation = api.invoke(COMMAND, targets)
        first = api.wait_status(operation, bm.BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS)
        assert (first.succeededCount, first.failedCount) == (ELEMENTS - REFUSING, REFUSING)
        assert {e.deviceToken for e in api.elements(first, FAILED)} == refusing
        before = {i.device_token for i in invocations_of(simulator, unique_name, operation)}
        assert before == set(targets) - refusing

        simulator.refuse_invocations(frozenset())  # the cause is fixed
        response = api.retry(operation, [FAILED], error_contains="refused the command")
        assert response.elementsRetried == REFUSING
        assert response.batchOperation.round == 1
        assert response.batchOperation.lastControl.action == "retry"
        final = api.wait_status(operation, bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY)
        assert (final.succeededCount, final.failedCount, final.elementCount) == (ELEMENTS, 0, ELEMENTS)
        assert final.round == 1

        after = [i.device_token for i in invocations_of(simulator, unique_name, operation)]
        # Exactly one new invocation per previously failed device, none for the others.
        assert sorted(after) == sorted(targets)
        assert simulator.duplicates(unique_name) == 0
        retried = [e for e in api.elements(final, SUCCEEDED) if e.deviceToken in refusing]
        assert len(retried) == REFUSING
        for element in retried:
            assert element.round == 1
            (earlier,) = element.earlierRounds
            assert (earlier.round, earlier.processingStatus) == (0, bm.BATCH_ELEMENT_STATUS_FAILED)
            assert "refused the command" in earlier.errorMessage
            assert earlier.attemptCount >= 1
