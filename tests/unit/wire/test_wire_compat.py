"""Guard the SiteWhere 2.x wire contract of the generated stubs.

Every name and number asserted here is SiteWhere's; a failure means a proto
edit changed what goes on the wire, which would break SiteWhere peers.
"""

from __future__ import annotations

import struct
from typing import cast

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from batchops.wire import (
    batch_management_pb2,
    batch_management_pb2_grpc,
    batch_model_pb2,
    device_management_pb2,
    device_model_pb2,
    event_management_pb2,
    event_model_pb2,
    multitenant_management_pb2,
    multitenant_management_pb2_grpc,
    sitewhere_common_pb2,
)

pytestmark = pytest.mark.unit

MODEL = "com.sitewhere.grpc.model"
SERVICE = "com.sitewhere.grpc.service"
EXTENSION_FLOOR = 100

_SCALARS = {
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_FIXED64: "fixed64",
    FieldDescriptor.TYPE_DOUBLE: "double",
}


def _kind(field: FieldDescriptor) -> str:
    """Compact description of a field's wire-relevant type."""
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        assert field.message_type is not None
        if field.message_type.GetOptions().map_entry:
            return "map"
        base = field.message_type.name
    elif field.type == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        base = field.enum_type.name
    else:
        base = _SCALARS[field.type]
    return f"repeated {base}" if field.is_repeated else base


def _sitewhere_fields(descriptor: Descriptor) -> list[tuple[str, int, str]]:
    return [
        (f.name, f.number, _kind(f))
        for f in sorted(descriptor.fields, key=lambda f: f.number)
        if f.number < EXTENSION_FLOOR
    ]


# --- services ---------------------------------------------------------------

SITEWHERE_BATCH_RPCS = [
    ("CreateBatchOperation", "GCreateBatchOperationRequest", "GCreateBatchOperationResponse"),
    (
        "CreateBatchCommandInvocation",
        "GCreateBatchCommandInvocationRequest",
        "GCreateBatchCommandInvocationResponse",
    ),
    ("UpdateBatchOperation", "GUpdateBatchOperationRequest", "GUpdateBatchOperationResponse"),
    ("GetBatchOperation", "GGetBatchOperationRequest", "GGetBatchOperationResponse"),
    ("GetBatchOperationByToken", "GGetBatchOperationByTokenRequest", "GGetBatchOperationByTokenResponse"),
    ("ListBatchOperations", "GListBatchOperationsRequest", "GListBatchOperationsResponse"),
    ("DeleteBatchOperation", "GDeleteBatchOperationRequest", "GDeleteBatchOperationResponse"),
    ("CreateBatchElement", "GCreateBatchElementRequest", "GCreateBatchElementResponse"),
    ("ListBatchElements", "GListBatchElementsRequest", "GListBatchElementsResponse"),
    ("UpdateBatchElement", "GUpdateBatchElementRequest", "GUpdateBatchElementResponse"),
]


def test_service_full_names() -> None:
    assert batch_management_pb2.DESCRIPTOR.services_by_name["BatchManagement"].full_name == (
        f"{SERVICE}.BatchManagement"
    )
    assert device_management_pb2.DESCRIPTOR.services_by_name["DeviceManagement"].full_name == (
        f"{SERVICE}.DeviceManagement"
    )
    assert event_management_pb2.DESCRIPTOR.services_by_name["DeviceEventManagement"].full_name == (
        f"{SERVICE}.DeviceEventManagement"
    )
    assert multitenant_management_pb2.DESCRIPTOR.services_by_name["MultitenantManagement"].full_name == (
        f"{SERVICE}.MultitenantManagement"
    )


def test_batch_management_sitewhere_methods_in_order() -> None:
    service = batch_management_pb2.DESCRIPTOR.services_by_name["BatchManagement"]
    methods = [(m.name, m.input_type.full_name, m.output_type.full_name) for m in service.methods]
    expected = [(name, f"{SERVICE}.{req}", f"{SERVICE}.{resp}") for name, req, resp in SITEWHERE_BATCH_RPCS]
    assert methods[: len(expected)] == expected
    assert [m[0] for m in methods[len(expected) :]] == [
        "CreateBatchCommandByDeviceCriteria",
        "CreateBatchCommandByGroup",
        "CreateBatchCommandByAssignmentCriteria",
        "CancelBatchOperation",
        "PauseBatchOperation",
        "ResumeBatchOperation",
        "RetryBatchOperation",
    ]
    for extra in service.methods[len(expected) :]:
        # Every extension answers with the operation in field 1 (the retry adds a count after it).
        assert _sitewhere_fields(extra.output_type)[0] == ("batchOperation", 1, "GBatchOperation")


def test_generated_servicer_and_stub_names() -> None:
    assert hasattr(batch_management_pb2_grpc, "BatchManagementServicer")
    assert hasattr(batch_management_pb2_grpc, "BatchManagementStub")
    assert hasattr(batch_management_pb2_grpc, "add_BatchManagementServicer_to_server")
    assert hasattr(multitenant_management_pb2_grpc, "add_MultitenantManagementServicer_to_server")


@pytest.mark.parametrize(
    ("module", "service_name", "method", "request_type", "response_type"),
    [
        (device_management_pb2, "DeviceManagement", "GetDevice", "GGetDeviceRequest", "GGetDeviceResponse"),
        (
            device_management_pb2,
            "DeviceManagement",
            "GetDeviceCommandByToken",
            "GGetDeviceCommandByTokenRequest",
            "GGetDeviceCommandByTokenResponse",
        ),
        (
            device_management_pb2,
            "DeviceManagement",
            "GetActiveAssignmentsForDevice",
            "GGetActiveAssignmentsForDeviceRequest",
            "GGetActiveAssignmentsForDeviceResponse",
        ),
        (
            event_management_pb2,
            "DeviceEventManagement",
            "AddCommandInvocations",
            "GAddCommandInvocationsRequest",
            "GAddCommandInvocationsResponse",
        ),
        (
            multitenant_management_pb2,
            "MultitenantManagement",
            "CheckTenantEngineAvailable",
            "GCheckTenantEngineAvailableRequest",
            "GCheckTenantEngineAvailableResponse",
        ),
    ],
)
def test_client_methods(
    module: object, service_name: str, method: str, request_type: str, response_type: str
) -> None:
    service = module.DESCRIPTOR.services_by_name[service_name]  # type: ignore[attr-defined]
    m = service.methods_by_name[method]
    assert m.input_type.full_name == f"{SERVICE}.{request_type}"
    assert m.output_type.full_name == f"{SERVICE}.{response_type}"


# --- messages ---------------------------------------------------------------

EXPECTED_FIELDS: list[tuple[type[Message], list[tuple[str, int, str]]]] = [
    (sitewhere_common_pb2.GUUID, [("msb", 1, "fixed64"), ("lsb", 2, "fixed64")]),
    (sitewhere_common_pb2.GOptionalString, [("value", 1, "string")]),
    (sitewhere_common_pb2.GOptionalBoolean, [("value", 1, "bool")]),
    (sitewhere_common_pb2.GPaging, [("pageNumber", 1, "int32"), ("pageSize", 2, "int32")]),
    (sitewhere_common_pb2.GUserReference, [("username", 1, "string")]),
    (
        sitewhere_common_pb2.GEntityInformation,
        [
            ("id", 1, "GUUID"),
            ("token", 2, "string"),
            ("createdDate", 3, "uint64"),
            ("createdBy", 4, "GUserReference"),
            ("updatedDate", 5, "uint64"),
            ("updatedBy", 6, "GUserReference"),
            ("metadata", 7, "map"),
        ],
    ),
    (
        batch_model_pb2.GBatchOperation,
        [
            ("id", 1, "GUUID"),
            ("token", 2, "string"),
            ("operationType", 3, "string"),
            ("parameters", 4, "map"),
            ("processingStatus", 5, "GBatchOperationStatus"),
            ("processingStartedDate", 6, "uint64"),
            ("processingEndedDate", 7, "uint64"),
            ("metadata", 8, "map"),
            ("entityInformation", 9, "GEntityInformation"),
        ],
    ),
    (
        batch_model_pb2.GBatchElement,
        [
            ("id", 1, "GUUID"),
            ("batchOperationId", 2, "GUUID"),
            ("deviceId", 3, "GUUID"),
            ("processingStatus", 4, "GElementProcessingStatus"),
            ("processedDate", 5, "uint64"),
            ("metadata", 6, "map"),
        ],
    ),
    (
        batch_model_pb2.GBatchOperationCreateRequest,
        [
            ("token", 1, "GOptionalString"),
            ("operationType", 2, "string"),
            ("parameters", 3, "map"),
            ("deviceTokens", 4, "repeated string"),
            ("metadata", 5, "map"),
        ],
    ),
    (
        batch_model_pb2.GBatchCommandInvocationCreateRequest,
        [
            ("token", 1, "GOptionalString"),
            ("commandToken", 2, "string"),
            ("parameters", 3, "map"),
            ("deviceTokens", 4, "repeated string"),
        ],
    ),
    (
        batch_model_pb2.GBatchOperationUpdateRequest,
        [
            ("processingStatus", 1, "GBatchOperationStatus"),
            ("processingStartedDate", 2, "uint64"),
            ("processingEndedDate", 3, "uint64"),
            ("metadata", 4, "map"),
        ],
    ),
    (
        batch_model_pb2.GBatchElementCreateRequest,
        [
            ("processingStatus", 1, "GElementProcessingStatus"),
            ("processedDate", 2, "uint64"),
            ("metadata", 3, "map"),
        ],
    ),
    (
        batch_model_pb2.GElementProcessingStatusFilter,
        [("processingStatus", 1, "GElementProcessingStatus")],
    ),
    (
        batch_model_pb2.GBatchOperationSearchCriteria,
        [("includeDeleted", 1, "GOptionalBoolean"), ("paging", 2, "GPaging")],
    ),
    (
        batch_model_pb2.GBatchElementSearchCriteria,
        [("processingStatusFilter", 1, "GElementProcessingStatusFilter"), ("paging", 2, "GPaging")],
    ),
    (
        batch_model_pb2.GBatchOperationSearchResults,
        [("count", 1, "int64"), ("batchOperations", 2, "repeated GBatchOperation")],
    ),
    (
        batch_model_pb2.GBatchElementSearchResults,
        [("count", 1, "int64"), ("batchElements", 2, "repeated GBatchElement")],
    ),
    (
        batch_model_pb2.GUnprocessedBatchOperation,
        [("batchOperation", 1, "GBatchOperation"), ("deviceTokens", 2, "repeated string")],
    ),
    (batch_model_pb2.GUnprocessedBatchElement, [("batchElement", 1, "GBatchElement")]),
    (
        batch_management_pb2.GUpdateBatchOperationRequest,
        [("batchOperationId", 1, "GUUID"), ("request", 2, "GBatchOperationUpdateRequest")],
    ),
    (batch_management_pb2.GGetBatchOperationByTokenRequest, [("token", 1, "string")]),
    (
        batch_management_pb2.GCreateBatchElementRequest,
        [("batchOperationId", 1, "GUUID"), ("request", 2, "GBatchElementCreateRequest")],
    ),
    (
        batch_management_pb2.GListBatchElementsRequest,
        [("batchOperationId", 1, "GUUID"), ("criteria", 2, "GBatchElementSearchCriteria")],
    ),
    (
        batch_management_pb2.GUpdateBatchElementRequest,
        [("elementId", 1, "GUUID"), ("request", 2, "GBatchElementCreateRequest")],
    ),
    (batch_management_pb2.GCreateBatchElementResponse, [("element", 1, "GBatchElement")]),
    (
        batch_management_pb2.GListBatchOperationsResponse,
        [("results", 1, "GBatchOperationSearchResults")],
    ),
    (
        device_model_pb2.GDevice,
        [
            ("deviceTypeId", 1, "GUUID"),
            ("activeAssignmentId", 2, "repeated GUUID"),
            ("parentDeviceId", 3, "GUUID"),
            ("deviceElementMappings", 4, "repeated GDeviceElementMapping"),
            ("comments", 5, "GOptionalString"),
            ("status", 6, "GOptionalString"),
            ("entityInformation", 7, "GEntityInformation"),
        ],
    ),
    (
        device_model_pb2.GDeviceCommand,
        [
            ("deviceTypeId", 1, "GUUID"),
            ("namespace", 2, "string"),
            ("name", 3, "string"),
            ("description", 4, "string"),
            ("parameters", 5, "repeated GCommandParameter"),
            ("entityInformation", 6, "GEntityInformation"),
        ],
    ),
    (
        device_model_pb2.GDeviceAssignment,
        [
            ("deviceId", 1, "GUUID"),
            ("deviceTypeId", 2, "GUUID"),
            ("customerId", 3, "GUUID"),
            ("areaId", 4, "GUUID"),
            ("assetId", 5, "GUUID"),
            ("status", 6, "GDeviceAssignmentStatus"),
            ("activeDate", 7, "uint64"),
            ("releasedDate", 8, "uint64"),
            ("entityInformation", 9, "GEntityInformation"),
        ],
    ),
    (
        device_model_pb2.GDeviceAssignmentSearchCriteria,
        [
            ("status", 1, "repeated GDeviceAssignmentStatus"),
            ("deviceTokens", 2, "repeated string"),
            ("deviceTypeTokens", 3, "repeated string"),
            ("customerTokens", 4, "repeated string"),
            ("areaTokens", 5, "repeated string"),
            ("assetTokens", 6, "repeated string"),
            ("paging", 7, "GPaging"),
        ],
    ),
    (
        device_model_pb2.GDeviceSearchCriteria,
        [
            ("deviceType", 1, "GDeviceTypeReference"),
            ("excludeAssigned", 2, "GOptionalBoolean"),
            ("createdAfter", 3, "uint64"),
            ("createdBefore", 4, "uint64"),
            ("paging", 5, "GPaging"),
        ],
    ),
    (device_model_pb2.GDeviceGroupElementsSearchCriteria, [("paging", 2, "GPaging")]),
    (
        device_model_pb2.GDeviceGroupElement,
        [
            ("id", 1, "GUUID"),
            ("groupId", 2, "GUUID"),
            ("deviceId", 3, "GUUID"),
            ("nestedGroupId", 4, "GUUID"),
            ("roles", 5, "repeated string"),
        ],
    ),
    (
        device_management_pb2.GGetDeviceCommandByTokenRequest,
        [("deviceTypeId", 1, "GUUID"), ("token", 2, "string")],
    ),
    (
        device_management_pb2.GListDeviceCommandsRequest,
        [("criteria", 2, "GDeviceCommandSearchCriteria")],
    ),
    (
        device_management_pb2.GGetActiveAssignmentsForDeviceResponse,
        [("assignment", 1, "repeated GDeviceAssignment")],
    ),
    (
        event_model_pb2.GDeviceCommandInvocationCreateRequest,
        [
            ("initiator", 1, "GDeviceCommandInitiator"),
            ("initiatorId", 2, "string"),
            ("target", 3, "GDeviceCommandTarget"),
            ("targetId", 4, "GOptionalString"),
            ("commandToken", 5, "string"),
            ("parameterValues", 6, "map"),
            ("event", 8, "GDeviceEventCreateRequest"),
        ],
    ),
    (
        event_model_pb2.GDeviceCommandInvocation,
        [
            ("initiator", 1, "GDeviceCommandInitiator"),
            ("initiatorId", 2, "string"),
            ("target", 3, "GDeviceCommandTarget"),
            ("targetId", 4, "GOptionalString"),
            ("deviceCommandId", 5, "GUUID"),
            ("parameterValues", 6, "map"),
            ("event", 7, "GDeviceEvent"),
        ],
    ),
    (
        event_management_pb2.GAddCommandInvocationsRequest,
        [
            ("deviceAssignmentId", 1, "GUUID"),
            ("requests", 2, "repeated GDeviceCommandInvocationCreateRequest"),
        ],
    ),
    (
        event_management_pb2.GAddCommandInvocationsResponse,
        [("invocations", 1, "repeated GDeviceCommandInvocation")],
    ),
    (multitenant_management_pb2.GCheckTenantEngineAvailableRequest, []),
    (multitenant_management_pb2.GCheckTenantEngineAvailableResponse, [("available", 1, "bool")]),
]


@pytest.mark.parametrize(
    ("message_class", "expected"),
    EXPECTED_FIELDS,
    ids=[cls.DESCRIPTOR.name for cls, _ in EXPECTED_FIELDS],
)
def test_sitewhere_field_numbers(message_class: type[Message], expected: list[tuple[str, int, str]]) -> None:
    descriptor = cast(Descriptor, message_class.DESCRIPTOR)
    assert descriptor.full_name.startswith((f"{MODEL}.", f"{SERVICE}."))
    assert _sitewhere_fields(descriptor) == expected


def test_all_messages_live_in_sitewhere_packages() -> None:
    for module in (sitewhere_common_pb2, batch_model_pb2, device_model_pb2, event_model_pb2):
        assert module.DESCRIPTOR.package == MODEL
    for module in (batch_management_pb2, device_management_pb2, event_management_pb2):
        assert module.DESCRIPTOR.package == SERVICE
    assert multitenant_management_pb2.DESCRIPTOR.package == SERVICE


def test_extension_field_numbers() -> None:
    def extras(cls: type[Message]) -> dict[str, int]:
        return {f.name: f.number for f in cls.DESCRIPTOR.fields if f.number >= EXTENSION_FLOOR}

    assert extras(batch_model_pb2.GBatchOperation) == {
        "unprocessedCount": 100,
        "processingCount": 101,
        "succeededCount": 102,
        "failedCount": 103,
        "elementCount": 104,
        "deviceTokenCount": 105,
        "targetingSummary": 106,
        "lastError": 107,
        "canceledCount": 108,
        "pausedPhase": 109,
        "lastControl": 110,
        "waitingOn": 111,
        "round": 112,
    }
    assert extras(batch_model_pb2.GBatchElement) == {
        "deviceToken": 100,
        "errorMessage": 101,
        "attemptCount": 102,
        "processingDurationMs": 103,
        "round": 104,
        "earlierRounds": 105,
    }
    assert extras(batch_model_pb2.GBatchOperationSearchCriteria) == {"statuses": 100}
    assert extras(batch_model_pb2.GBatchElementCreateRequest) == {"deviceToken": 100, "errorMessage": 101}
    assert extras(batch_model_pb2.GUnprocessedBatchOperation) == {"chunkIndex": 100, "chunkCount": 101}


def test_update_fields_track_presence() -> None:
    for cls, names in (
        (
            batch_model_pb2.GBatchOperationUpdateRequest,
            ("processingStatus", "processingStartedDate", "processingEndedDate"),
        ),
        (batch_model_pb2.GBatchElementCreateRequest, ("processingStatus", "processedDate", "errorMessage")),
    ):
        for name in names:
            assert cls.DESCRIPTOR.fields_by_name[name].has_presence, f"{cls.__name__}.{name}"
    update = batch_model_pb2.GBatchOperationUpdateRequest()
    assert not update.HasField("processingStatus")
    update.processingStatus = batch_model_pb2.BATCH_OPERATION_STATUS_UNPROCESSED
    assert update.HasField("processingStatus")


def test_enum_values() -> None:
    op = batch_model_pb2.GBatchOperationStatus
    assert [(v.name, v.number) for v in op.DESCRIPTOR.values] == [
        ("BATCH_OPERATION_STATUS_UNPROCESSED", 0),
        ("BATCH_OPERATION_STATUS_INITIALIZING", 1),
        ("BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY", 2),
        ("BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS", 3),
        ("BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY", 4),
        ("BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS", 5),
        # batchops extensions: numbers apart from SiteWhere's, unknown to its 2.x clients.
        ("BATCH_OPERATION_STATUS_PAUSED", 100),
        ("BATCH_OPERATION_STATUS_CANCELING", 101),
        ("BATCH_OPERATION_STATUS_CANCELED", 102),
    ]
    el = batch_model_pb2.GElementProcessingStatus
    assert [(v.name, v.number) for v in el.DESCRIPTOR.values] == [
        ("BATCH_ELEMENT_STATUS_UNPROCESSED", 0),
        ("BATCH_ELEMENT_STATUS_PROCESSING", 1),
        ("BATCH_ELEMENT_STATUS_FAILED", 2),
        ("BATCH_ELEMENT_STATUS_SUCCEEDED", 3),
        ("BATCH_ELEMENT_STATUS_CANCELED", 100),
    ]
    assert sitewhere_common_pb2.CMD_INITIATOR_BATCH_OPERATION == 1
    assert sitewhere_common_pb2.CMD_TARGET_ASSIGNMENT == 0
    assert sitewhere_common_pb2.ASSN_STATUS_ACTIVE == 1
    assert (
        sitewhere_common_pb2.GDeviceAssignmentStatus.DESCRIPTOR.full_name
        == f"{MODEL}.GDeviceAssignmentStatus"
    )


def test_guuid_encoding_is_two_fixed64() -> None:
    encoded = sitewhere_common_pb2.GUUID(msb=0x0102030405060708, lsb=0xFFFFFFFFFFFFFFFF).SerializeToString()
    assert encoded == b"\x09" + struct.pack("<Q", 0x0102030405060708) + b"\x11" + struct.pack("<Q", 2**64 - 1)


# --- round trips against a SiteWhere-only view of the schema ------------------


def _sitewhere_view_pool() -> descriptor_pool.DescriptorPool:
    """Pool holding batch_model as SiteWhere defines it: no extensions, no presence."""
    pool = descriptor_pool.DescriptorPool()
    common = descriptor_pb2.FileDescriptorProto()
    sitewhere_common_pb2.DESCRIPTOR.CopyToProto(common)
    pool.Add(common)

    model = descriptor_pb2.FileDescriptorProto()
    batch_model_pb2.DESCRIPTOR.CopyToProto(model)
    for message in model.message_type:
        kept = [f for f in message.field if f.number < EXTENSION_FLOOR]
        for field in kept:
            if field.proto3_optional:
                field.proto3_optional = False
                field.ClearField("oneof_index")
        del message.field[:]
        message.field.extend(kept)
        del message.oneof_decl[:]
    pool.Add(model)
    return pool


def _sitewhere_class(pool: descriptor_pool.DescriptorPool, name: str) -> type[Message]:
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{MODEL}.{name}"))


def _populated_operation() -> batch_model_pb2.GBatchOperation:
    op = batch_model_pb2.GBatchOperation(
        id=sitewhere_common_pb2.GUUID(msb=11, lsb=22),
        token="op-1",
        operationType="BatchCommandInvocation",
        processingStatus=batch_model_pb2.BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS,
        processingStartedDate=1_700_000_000_000,
        processingEndedDate=1_700_000_100_000,
        entityInformation=sitewhere_common_pb2.GEntityInformation(
            token="op-1", createdDate=1_699_999_999_000
        ),
        unprocessedCount=1,
        processingCount=2,
        succeededCount=3,
        failedCount=4,
        elementCount=10,
        deviceTokenCount=10,
        targetingSummary="deviceType=thermostat",
        lastError="device d-9 not found",
    )
    op.parameters["commandToken"] = "reboot"
    op.metadata["delay"] = "5"
    return op


def test_operation_with_extensions_decodes_for_sitewhere_peer() -> None:
    ours = _populated_operation()
    theirs_cls = _sitewhere_class(_sitewhere_view_pool(), "GBatchOperation")
    assert all(f.number < EXTENSION_FLOOR for f in theirs_cls.DESCRIPTOR.fields)

    theirs = theirs_cls.FromString(ours.SerializeToString())
    assert theirs.id.msb == 11 and theirs.id.lsb == 22  # type: ignore[attr-defined]
    assert theirs.token == "op-1"  # type: ignore[attr-defined]
    assert theirs.operationType == "BatchCommandInvocation"  # type: ignore[attr-defined]
    assert dict(theirs.parameters) == {"commandToken": "reboot"}  # type: ignore[attr-defined]
    assert theirs.processingStatus == 3  # type: ignore[attr-defined]
    assert theirs.processingStartedDate == 1_700_000_000_000  # type: ignore[attr-defined]
    assert theirs.processingEndedDate == 1_700_000_100_000  # type: ignore[attr-defined]
    assert dict(theirs.metadata) == {"delay": "5"}  # type: ignore[attr-defined]
    assert theirs.entityInformation.createdDate == 1_699_999_999_000  # type: ignore[attr-defined]

    # Our side decodes its own encoding losslessly, extensions included.
    assert batch_model_pb2.GBatchOperation.FromString(ours.SerializeToString()) == ours


def test_unprocessed_operation_round_trip_both_directions() -> None:
    pool = _sitewhere_view_pool()
    ours = batch_model_pb2.GUnprocessedBatchOperation(
        batchOperation=_populated_operation(), deviceTokens=["d-1", "d-2"], chunkIndex=2, chunkCount=5
    )
    theirs = _sitewhere_class(pool, "GUnprocessedBatchOperation").FromString(ours.SerializeToString())
    assert list(theirs.deviceTokens) == ["d-1", "d-2"]  # type: ignore[attr-defined]
    assert theirs.batchOperation.token == "op-1"  # type: ignore[attr-defined]

    # A record produced by SiteWhere: extensions read as their defaults.
    sitewhere_record = _sitewhere_class(pool, "GUnprocessedBatchOperation")()
    sitewhere_record.batchOperation.token = "sw-op"  # type: ignore[attr-defined]
    sitewhere_record.deviceTokens.extend(["a", "b", "c"])  # type: ignore[attr-defined]
    decoded = batch_model_pb2.GUnprocessedBatchOperation.FromString(sitewhere_record.SerializeToString())
    assert decoded.batchOperation.token == "sw-op"
    assert list(decoded.deviceTokens) == ["a", "b", "c"]
    assert (decoded.chunkIndex, decoded.chunkCount) == (0, 0)
    assert decoded.batchOperation.elementCount == 0


def test_element_create_request_presence_across_peers() -> None:
    pool = _sitewhere_view_pool()
    theirs_cls = _sitewhere_class(pool, "GBatchElementCreateRequest")

    # SiteWhere client sets a non-default status and a date: we see both as present.
    sent = theirs_cls(processingStatus=batch_model_pb2.BATCH_ELEMENT_STATUS_SUCCEEDED, processedDate=42)
    sent.metadata["invocation"] = "abc"  # type: ignore[attr-defined]
    ours = batch_model_pb2.GBatchElementCreateRequest.FromString(sent.SerializeToString())
    assert ours.HasField("processingStatus") and ours.processingStatus == 3
    assert ours.HasField("processedDate") and ours.processedDate == 42
    assert not ours.HasField("errorMessage")
    assert ours.deviceToken == ""
    assert dict(ours.metadata) == {"invocation": "abc"}

    # Our request with extensions decodes cleanly for SiteWhere.
    ours_req = batch_model_pb2.GBatchElementCreateRequest(
        processingStatus=batch_model_pb2.BATCH_ELEMENT_STATUS_FAILED,
        deviceToken="dev-7",
        errorMessage="boom",
    )
    decoded = theirs_cls.FromString(ours_req.SerializeToString())
    assert decoded.processingStatus == 2  # type: ignore[attr-defined]
    assert decoded.processedDate == 0  # type: ignore[attr-defined]


def test_element_with_extensions_decodes_for_sitewhere_peer() -> None:
    ours = batch_model_pb2.GBatchElement(
        id=sitewhere_common_pb2.GUUID(msb=1, lsb=2),
        batchOperationId=sitewhere_common_pb2.GUUID(msb=3, lsb=4),
        deviceId=sitewhere_common_pb2.GUUID(msb=5, lsb=6),
        processingStatus=batch_model_pb2.BATCH_ELEMENT_STATUS_SUCCEEDED,
        processedDate=99,
        deviceToken="dev-1",
        errorMessage="",
        attemptCount=2,
        processingDurationMs=1500,
    )
    ours.metadata["invocation"] = "inv-1"
    wrapped = batch_model_pb2.GUnprocessedBatchElement(batchElement=ours)
    theirs = _sitewhere_class(_sitewhere_view_pool(), "GUnprocessedBatchElement").FromString(
        wrapped.SerializeToString()
    )
    element = theirs.batchElement  # type: ignore[attr-defined]
    assert (element.id.msb, element.id.lsb) == (1, 2)
    assert (element.batchOperationId.msb, element.deviceId.lsb) == (3, 6)
    assert element.processingStatus == 3
    assert element.processedDate == 99
    assert dict(element.metadata) == {"invocation": "inv-1"}
