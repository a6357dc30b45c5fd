from batchops.wire import event_model_pb2 as _event_model_pb2
from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GAddCommandInvocationsRequest(_message.Message):
    __slots__ = ("deviceAssignmentId", "requests")
    DEVICEASSIGNMENTID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    deviceAssignmentId: _sitewhere_common_pb2.GUUID
    requests: _containers.RepeatedCompositeFieldContainer[_event_model_pb2.GDeviceCommandInvocationCreateRequest]
    def __init__(self, deviceAssignmentId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., requests: _Optional[_Iterable[_Union[_event_model_pb2.GDeviceCommandInvocationCreateRequest, _Mapping]]] = ...) -> None: ...

class GAddCommandInvocationsResponse(_message.Message):
    __slots__ = ("invocations",)
    INVOCATIONS_FIELD_NUMBER: _ClassVar[int]
    invocations: _containers.RepeatedCompositeFieldContainer[_event_model_pb2.GDeviceCommandInvocation]
    def __init__(self, invocations: _Optional[_Iterable[_Union[_event_model_pb2.GDeviceCommandInvocation, _Mapping]]] = ...) -> None: ...
