"""A fleet simulator: SiteWhere's device-management and event-management gRPC APIs over a
synthetic, seeded fleet, with invocation recording, duplicate detection and fault injection."""

from batchops.simulator.faults import Fault, FaultPlan, FaultSettings
from batchops.simulator.fleet import AssignmentStatus, Fleet
from batchops.simulator.recorder import InvocationRecorder, InvocationRequest, RecordedInvocation
from batchops.simulator.server import FleetSimulator

__all__ = [
    "AssignmentStatus",
    "Fault",
    "FaultPlan",
    "FaultSettings",
    "Fleet",
    "FleetSimulator",
    "InvocationRecorder",
    "InvocationRequest",
    "RecordedInvocation",
]
