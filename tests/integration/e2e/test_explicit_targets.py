"""An explicit device list through the whole pipeline: exact outcomes, exactly-once invocations,
retried faults, and tenants kept apart."""

from __future__ import annotations

import threading

from batchops.devstack import Endpoints
from batchops.simulator import Fleet, FleetSimulator
from support.e2e import api_of, check_results, e2e_settings, expected_errors, running_service

UNKNOWN = [f"ghost-{n:03d}" for n in range(100)]
# setThreshold exists for some device types only: the others' devices fail with the reason.
COMMAND = "setThreshold"
PARAMETERS = {"value": "21.5", "unit": "C"}


def all_targets(fleet: Fleet) -> list[str]:
    tokens = [device.token for device in fleet.devices]
    # Unknown tokens spread through the list, plus a repeat the API must drop.
    return [*tokens[:1000], *UNKNOWN, *tokens[1000:], tokens[0]]


def test_fleet_with_unknown_unassigned_and_wrong_type_devices(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    fleet = simulator.fleet
    targets = all_targets(fleet)
    expected = expected_errors(fleet, targets, COMMAND)
    # The case must exercise every reason.
    reasons = {(error or "ok").split(" ")[0] for error in expected.values()}
    assert reasons == {"ok", "unknown", "Invalid", "device"}, reasons
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        operation = api.invoke(COMMAND, targets, PARAMETERS)
        assert operation.targetingSummary == "explicit device list"
        check_results(api, simulator, operation, expected, PARAMETERS)


def test_unavailable_faults_are_retried_to_the_same_exact_result(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    fleet = simulator.fleet
    targets = all_targets(fleet)
    settings = e2e_settings(servers, simulator, unique_name, [unique_name])
    with running_service(servers, settings) as service, api_of(service, unique_name) as api:
        simulator.configure(unavailable_rate=0.2)
        operation = api.invoke(COMMAND, targets, PARAMETERS)
        check_results(api, simulator, operation, expected_errors(fleet, targets, COMMAND), PARAMETERS)
        # The faults really happened: far more calls than a clean run needs.
        assert simulator.calls("AddCommandInvocations") > len(simulator.invocations(unique_name))


def test_two_tenants_at_once_get_separate_results(
    servers: Endpoints, simulator: FleetSimulator, unique_name: str
) -> None:
    fleet = simulator.fleet
    tenants = [f"{unique_name}a", f"{unique_name}b"]
    jobs = {
        tenants[0]: ("ping", [d.token for d in fleet.devices[:1200]], {}),
        tenants[1]: ("reboot", [d.token for d in fleet.devices[800:]] + UNKNOWN[:10], {"delaySeconds": "5"}),
    }
    settings = e2e_settings(servers, simulator, unique_name, tenants)
    with running_service(servers, settings) as service:
        errors: list[BaseException] = []

        def run(tenant: str) -> None:
            command, devices, parameters = jobs[tenant]
            try:
                with api_of(service, tenant) as api:
                    operation = api.invoke(command, devices, parameters)
                    check_results(
                        api, simulator, operation, expected_errors(fleet, devices, command), parameters
                    )
            except BaseException as exc:  # reported below, from the test's own thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(tenant,)) for tenant in tenants]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]
        for tenant, (command, _devices, _parameters) in jobs.items():
            assert {i.request.command_token for i in simulator.invocations(tenant)} == {command}
            assert {i.tenant for i in simulator.invocations(tenant)} == {tenant}
        assert set(simulator.recorder.tenants()) == set(tenants)
