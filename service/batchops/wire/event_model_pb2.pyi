from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GDeviceEventCreateRequest(_message.Message):
    __slots__ = ("alternateId", "customerToken", "areaToken", "assetToken", "eventDate", "updateState", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ALTERNATEID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERTOKEN_FIELD_NUMBER: _ClassVar[int]
    AREATOKEN_FIELD_NUMBER: _ClassVar[int]
    ASSETTOKEN_FIELD_NUMBER: _ClassVar[int]
    EVENTDATE_FIELD_NUMBER: _ClassVar[int]
    UPDATESTATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    alternateId: _sitewhere_common_pb2.GOptionalString
    customerToken: _sitewhere_common_pb2.GOptionalString
    areaToken: _sitewhere_common_pb2.GOptionalString
    assetToken: _sitewhere_common_pb2.GOptionalString
    eventDate: int
    updateState: _sitewhere_common_pb2.GOptionalBoolean
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, alternateId: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., customerToken: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., areaToken: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., assetToken: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., eventDate: _Optional[int] = ..., updateState: _Optional[_Union[_sitewhere_common_pb2.GOptionalBoolean, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GDeviceCommandInvocationCreateRequest(_message.Message):
    __slots__ = ("initiator", "initiatorId", "target", "targetId", "commandToken", "parameterValues", "event")
    class ParameterValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    INITIATORID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGETID_FIELD_NUMBER: _ClassVar[int]
    COMMANDTOKEN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERVALUES_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    initiator: _sitewhere_common_pb2.GDeviceCommandInitiator
    initiatorId: str
    target: _sitewhere_common_pb2.GDeviceCommandTarget
    targetId: _sitewhere_common_pb2.GOptionalString
    commandToken: str
    parameterValues: _containers.ScalarMap[str, str]
    event: GDeviceEventCreateRequest
    def __init__(self, initiator: _Optional[_Union[_sitewhere_common_pb2.GDeviceCommandInitiator, str]] = ..., initiatorId: _Optional[str] = ..., target: _Optional[_Union[_sitewhere_common_pb2.GDeviceCommandTarget, str]] = ..., targetId: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., commandToken: _Optional[str] = ..., parameterValues: _Optional[_Mapping[str, str]] = ..., event: _Optional[_Union[GDeviceEventCreateRequest, _Mapping]] = ...) -> None: ...

class GDeviceEvent(_message.Message):
    __slots__ = ("id", "alternateId", "eventType", "deviceId", "deviceAssignmentId", "customerId", "areaId", "assetId", "eventDate", "receivedDate", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    ALTERNATEID_FIELD_NUMBER: _ClassVar[int]
    EVENTTYPE_FIELD_NUMBER: _ClassVar[int]
    DEVICEID_FIELD_NUMBER: _ClassVar[int]
    DEVICEASSIGNMENTID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERID_FIELD_NUMBER: _ClassVar[int]
    AREAID_FIELD_NUMBER: _ClassVar[int]
    ASSETID_FIELD_NUMBER: _ClassVar[int]
    EVENTDATE_FIELD_NUMBER: _ClassVar[int]
    RECEIVEDDATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    alternateId: _sitewhere_common_pb2.GOptionalString
    eventType: _sitewhere_common_pb2.GDeviceEventType
    deviceId: _sitewhere_common_pb2.GUUID
    deviceAssignmentId: _sitewhere_common_pb2.GUUID
    customerId: _sitewhere_common_pb2.GUUID
    areaId: _sitewhere_common_pb2.GUUID
    assetId: _sitewhere_common_pb2.GUUID
    eventDate: int
    receivedDate: int
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., alternateId: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., eventType: _Optional[_Union[_sitewhere_common_pb2.GDeviceEventType, str]] = ..., deviceId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., deviceAssignmentId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., customerId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., areaId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., assetId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., eventDate: _Optional[int] = ..., receivedDate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GDeviceCommandInvocation(_message.Message):
    __slots__ = ("initiator", "initiatorId", "target", "targetId", "deviceCommandId", "parameterValues", "event")
    class ParameterValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    INITIATOR_FIELD_NUMBER: _ClassVar[int]
    INITIATORID_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TARGETID_FIELD_NUMBER: _ClassVar[int]
    DEVICECOMMANDID_FIELD_NUMBER: _ClassVar[int]
    PARAMETERVALUES_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    initiator: _sitewhere_common_pb2.GDeviceCommandInitiator
    initiatorId: str
    target: _sitewhere_common_pb2.GDeviceCommandTarget
    targetId: _sitewhere_common_pb2.GOptionalString
    deviceCommandId: _sitewhere_common_pb2.GUUID
    parameterValues: _containers.ScalarMap[str, str]
    event: GDeviceEvent
    def __init__(self, initiator: _Optional[_Union[_sitewhere_common_pb2.GDeviceCommandInitiator, str]] = ..., initiatorId: _Optional[str] = ..., target: _Optional[_Union[_sitewhere_common_pb2.GDeviceCommandTarget, str]] = ..., targetId: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., deviceCommandId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., parameterValues: _Optional[_Mapping[str, str]] = ..., event: _Optional[_Union[GDeviceEvent, _Mapping]] = ...) -> None: ...
