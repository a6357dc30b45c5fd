from batchops.wire import device_model_pb2 as _device_model_pb2
from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GGetDeviceTypeRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetDeviceTypeResponse(_message.Message):
    __slots__ = ("deviceType",)
    DEVICETYPE_FIELD_NUMBER: _ClassVar[int]
    deviceType: _device_model_pb2.GDeviceType
    def __init__(self, deviceType: _Optional[_Union[_device_model_pb2.GDeviceType, _Mapping]] = ...) -> None: ...

class GGetDeviceTypeByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GGetDeviceTypeByTokenResponse(_message.Message):
    __slots__ = ("deviceType",)
    DEVICETYPE_FIELD_NUMBER: _ClassVar[int]
    deviceType: _device_model_pb2.GDeviceType
    def __init__(self, deviceType: _Optional[_Union[_device_model_pb2.GDeviceType, _Mapping]] = ...) -> None: ...

class GGetDeviceCommandRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetDeviceCommandResponse(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: _device_model_pb2.GDeviceCommand
    def __init__(self, command: _Optional[_Union[_device_model_pb2.GDeviceCommand, _Mapping]] = ...) -> None: ...

class GGetDeviceCommandByTokenRequest(_message.Message):
    __slots__ = ("deviceTypeId", "token")
    DEVICETYPEID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    deviceTypeId: _sitewhere_common_pb2.GUUID
    token: str
    def __init__(self, deviceTypeId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., token: _Optional[str] = ...) -> None: ...

class GGetDeviceCommandByTokenResponse(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: _device_model_pb2.GDeviceCommand
    def __init__(self, command: _Optional[_Union[_device_model_pb2.GDeviceCommand, _Mapping]] = ...) -> None: ...

class GListDeviceCommandsRequest(_message.Message):
    __slots__ = ("criteria",)
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    criteria: _device_model_pb2.GDeviceCommandSearchCriteria
    def __init__(self, criteria: _Optional[_Union[_device_model_pb2.GDeviceCommandSearchCriteria, _Mapping]] = ...) -> None: ...

class GListDeviceCommandsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _device_model_pb2.GDeviceCommandSearchResults
    def __init__(self, results: _Optional[_Union[_device_model_pb2.GDeviceCommandSearchResults, _Mapping]] = ...) -> None: ...

class GGetDeviceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetDeviceResponse(_message.Message):
    __slots__ = ("device",)
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    device: _device_model_pb2.GDevice
    def __init__(self, device: _Optional[_Union[_device_model_pb2.GDevice, _Mapping]] = ...) -> None: ...

class GGetDeviceByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GGetDeviceByTokenResponse(_message.Message):
    __slots__ = ("device",)
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    device: _device_model_pb2.GDevice
    def __init__(self, device: _Optional[_Union[_device_model_pb2.GDevice, _Mapping]] = ...) -> None: ...

class GListDevicesRequest(_message.Message):
    __slots__ = ("criteria",)
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    criteria: _device_model_pb2.GDeviceSearchCriteria
    def __init__(self, criteria: _Optional[_Union[_device_model_pb2.GDeviceSearchCriteria, _Mapping]] = ...) -> None: ...

class GListDevicesResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _device_model_pb2.GDeviceSearchResults
    def __init__(self, results: _Optional[_Union[_device_model_pb2.GDeviceSearchResults, _Mapping]] = ...) -> None: ...

class GGetDeviceGroupRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetDeviceGroupResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: _device_model_pb2.GDeviceGroup
    def __init__(self, group: _Optional[_Union[_device_model_pb2.GDeviceGroup, _Mapping]] = ...) -> None: ...

class GGetDeviceGroupByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GGetDeviceGroupByTokenResponse(_message.Message):
    __slots__ = ("group",)
    GROUP_FIELD_NUMBER: _ClassVar[int]
    group: _device_model_pb2.GDeviceGroup
    def __init__(self, group: _Optional[_Union[_device_model_pb2.GDeviceGroup, _Mapping]] = ...) -> None: ...

class GListDeviceGroupElementsRequest(_message.Message):
    __slots__ = ("groupId", "criteria")
    GROUPID_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    groupId: _sitewhere_common_pb2.GUUID
    criteria: _device_model_pb2.GDeviceGroupElementsSearchCriteria
    def __init__(self, groupId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., criteria: _Optional[_Union[_device_model_pb2.GDeviceGroupElementsSearchCriteria, _Mapping]] = ...) -> None: ...

class GListDeviceGroupElementsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _device_model_pb2.GDeviceGroupElementsSearchResults
    def __init__(self, results: _Optional[_Union[_device_model_pb2.GDeviceGroupElementsSearchResults, _Mapping]] = ...) -> None: ...

class GGetDeviceAssignmentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetDeviceAssignmentResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: _device_model_pb2.GDeviceAssignment
    def __init__(self, assignment: _Optional[_Union[_device_model_pb2.GDeviceAssignment, _Mapping]] = ...) -> None: ...

class GGetDeviceAssignmentByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GGetDeviceAssignmentByTokenResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: _device_model_pb2.GDeviceAssignment
    def __init__(self, assignment: _Optional[_Union[_device_model_pb2.GDeviceAssignment, _Mapping]] = ...) -> None: ...

class GGetActiveAssignmentsForDeviceRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetActiveAssignmentsForDeviceResponse(_message.Message):
    __slots__ = ("assignment",)
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    assignment: _containers.RepeatedCompositeFieldContainer[_device_model_pb2.GDeviceAssignment]
    def __init__(self, assignment: _Optional[_Iterable[_Union[_device_model_pb2.GDeviceAssignment, _Mapping]]] = ...) -> None: ...

class GListDeviceAssignmentsRequest(_message.Message):
    __slots__ = ("criteria",)
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    criteria: _device_model_pb2.GDeviceAssignmentSearchCriteria
    def __init__(self, criteria: _Optional[_Union[_device_model_pb2.GDeviceAssignmentSearchCriteria, _Mapping]] = ...) -> None: ...

class GListDeviceAssignmentsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _device_model_pb2.GDeviceAssignmentSearchResults
    def __init__(self, results: _Optional[_Union[_device_model_pb2.GDeviceAssignmentSearchResults, _Mapping]] = ...) -> None: ...
