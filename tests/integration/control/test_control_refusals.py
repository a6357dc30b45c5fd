"""Control calls an operation's status does not allow are refused with the right code and
nothing changed; racing calls leave one consistent result."""

from __future__ import annotations

import threading
import uuid

import grpc
import pytest

from batchops.devstack import Endpoints
from batchops.domain import ElementProcessingStatus
from batchops.protocol.convert import uuid_to_wire
from batchops.simulator import FleetSimulator
from batchops.wire import batch_model_pb2 as bm
from support.control import COMMAND, ping_targets
from support.e2e import Api, api_of, e2e_settings, running_service


def _refused(call: object, code: grpc.StatusCode, text: str) -> None:
    with pytest.raises(grpc.RpcError) as error:
        call()  # type: ignore[operator]
    assert error.value.code() == code, error.value.details()
    assert text in (error.value.details() or ""), error.value.details()


def test_illegal_control_calls_are_refused_and_racing_calls_agree(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    targets = ping_targets(simulator, 200)
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        unknown = bm.GBatchOperation(id=uuid_to_wire(uuid.uuid4()))
        _refused(lambda: api.pause(unknown), grpc.StatusCode.NOT_FOUND, "not found")
        _refused(lambda: api.cancel(unknown), grpc.StatusCode.NOT_FOUND, "not found")

        simulator.configure(latency_ms=50)  # keep it running while the calls below race
        operation = api.invoke(COMMAND, targets)
        _refused(lambda: api.resume(operation), grpc.StatusCode.FAILED_PRECONDITION, "not Paused")
        _refused(lambda: api.retry(operation), grpc.StatusCode.FAILED_PRECONDITION, "retry it once it ended")
        _race_pauses(api, operation)
        _refused(lambda: api.pause(operation), grpc.StatusCode.FAILED_PRECONDITION, "already paused")
        _refused(
            lambda: api.retry(operation, [ElementProcessingStatus.SUCCEEDED]),
            grpc.StatusCode.INVALID_ARGUMENT,
            "Only Failed and Canceled",
        )
        simulator.configure(latency_ms=0)
        api.resume(operation)
        final = api.wait_status(operation, bm.BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY)
        _refused(lambda: api.cancel(final), grpc.StatusCode.FAILED_PRECONDITION, "final operation")
        _refused(lambda: api.pause(final), grpc.StatusCode.FAILED_PRECONDITION, "only a running")
        _refused(lambda: api.retry(final), grpc.StatusCode.FAILED_PRECONDITION, "no element to retry")
        # Refused calls changed nothing.
        assert api.get(operation.id) == final


def _race_pauses(api: Api, operation: bm.GBatchOperation) -> None:
    """Eight pauses at once: exactly one wins, the others are told it is already paused."""
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def pause() -> None:
        start.wait()
        try:
            api.pause(operation)
            result = "paused"
        except grpc.RpcError as exc:
            result = exc.code().name
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=pause) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["FAILED_PRECONDITION"] * 7 + ["paused"], outcomes
