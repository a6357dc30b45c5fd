from __future__ import annotations

from batchops.simulator import InvocationRecorder, InvocationRequest, RecordedInvocation


def invocation(tenant: str, device: str, assignment: str, operation: str = "op-1") -> RecordedInvocation:
    return RecordedInvocation(
        tenant=tenant,
        invocation_id=f"{device}/{assignment}",
        assignment_id="id",
        assignment_token=assignment,
        device_token=device,
        request=InvocationRequest(
            command_token="ping",
            parameters={},
            initiator="CMD_INITIATOR_BATCH_OPERATION",
            initiator_id=operation,
            target="CMD_TARGET_ASSIGNMENT",
            target_id=assignment,
            metadata={},
        ),
    )


def test_duplicates_are_counted_per_tenant() -> None:
    recorder = InvocationRecorder()
    recorder.record(invocation("a", "dev-1", "asg-1"))
    recorder.record(invocation("a", "dev-1", "asg-1"))
    recorder.record(invocation("a", "dev-1", "asg-1"))
    recorder.record(invocation("b", "dev-1", "asg-1"))
    assert recorder.duplicates("a") == 2
    assert recorder.duplicates("b") == 0
    assert recorder.count("a") == 3 and recorder.tenants() == ["a", "b"]


def test_one_invocation_per_assignment_or_operation_is_not_a_duplicate() -> None:
    recorder = InvocationRecorder()
    recorder.record(invocation("a", "dev-1", "asg-1"))
    recorder.record(invocation("a", "dev-1", "asg-2"))
    recorder.record(invocation("a", "dev-1", "asg-1", operation="op-2"))
    assert recorder.duplicates("a") == 0


def test_reset_forgets_everything() -> None:
    recorder = InvocationRecorder()
    recorder.record(invocation("a", "dev-1", "asg-1"))
    recorder.reset()
    assert recorder.invocations("a") == [] and recorder.duplicates("a") == 0
