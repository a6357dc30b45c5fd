from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GDeviceContainerPolicy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTAINER_STANDALONE: _ClassVar[GDeviceContainerPolicy]
    CONTAINER_COMPOSITE: _ClassVar[GDeviceContainerPolicy]

class GParameterType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARAMETER_DOUBLE: _ClassVar[GParameterType]
    PARAMETER_FLOAT: _ClassVar[GParameterType]
    PARAMETER_INT32: _ClassVar[GParameterType]
    PARAMETER_INT64: _ClassVar[GParameterType]
    PARAMETER_UINT32: _ClassVar[GParameterType]
    PARAMETER_UINT64: _ClassVar[GParameterType]
    PARAMETER_SINT32: _ClassVar[GParameterType]
    PARAMETER_SINT64: _ClassVar[GParameterType]
    PARAMETER_FIXED32: _ClassVar[GParameterType]
    PARAMETER_FIXED64: _ClassVar[GParameterType]
    PARAMETER_SFIXED32: _ClassVar[GParameterType]
    PARAMETER_SFIXED64: _ClassVar[GParameterType]
    PARAMETER_BOOL: _ClassVar[GParameterType]
    PARAMETER_STRING: _ClassVar[GParameterType]
    PARAMETER_BYTES: _ClassVar[GParameterType]

class GDeviceAssignmentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSN_STATUS_UNSPECIFIED: _ClassVar[GDeviceAssignmentStatus]
    ASSN_STATUS_ACTIVE: _ClassVar[GDeviceAssignmentStatus]
    ASSN_STATUS_MISSING: _ClassVar[GDeviceAssignmentStatus]
    ASSN_STATUS_RELEASED: _ClassVar[GDeviceAssignmentStatus]

class GDeviceEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_MEASUREMENT: _ClassVar[GDeviceEventType]
    EVENT_TYPE_LOCATION: _ClassVar[GDeviceEventType]
    EVENT_TYPE_ALERT: _ClassVar[GDeviceEventType]
    EVENT_TYPE_COMMAND_INVOCATION: _ClassVar[GDeviceEventType]
    EVENT_TYPE_COMMAND_RESPONSE: _ClassVar[GDeviceEventType]
    EVENT_TYPE_STATE_CHANGE: _ClassVar[GDeviceEventType]

class GDeviceCommandInitiator(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CMD_INITIATOR_REST: _ClassVar[GDeviceCommandInitiator]
    CMD_INITIATOR_BATCH_OPERATION: _ClassVar[GDeviceCommandInitiator]
    CMD_INITIATOR_SCRIPT: _ClassVar[GDeviceCommandInitiator]
    CMD_INITIATOR_SCHEDULER: _ClassVar[GDeviceCommandInitiator]

class GDeviceCommandTarget(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CMD_TARGET_ASSIGNMENT: _ClassVar[GDeviceCommandTarget]
CONTAINER_STANDALONE: GDeviceContainerPolicy
CONTAINER_COMPOSITE: GDeviceContainerPolicy
PARAMETER_DOUBLE: GParameterType
PARAMETER_FLOAT: GParameterType
PARAMETER_INT32: GParameterType
PARAMETER_INT64: GParameterType
PARAMETER_UINT32: GParameterType
PARAMETER_UINT64: GParameterType
PARAMETER_SINT32: GParameterType
PARAMETER_SINT64: GParameterType
PARAMETER_FIXED32: GParameterType
PARAMETER_FIXED64: GParameterType
PARAMETER_SFIXED32: GParameterType
PARAMETER_SFIXED64: GParameterType
PARAMETER_BOOL: GParameterType
PARAMETER_STRING: GParameterType
PARAMETER_BYTES: GParameterType
ASSN_STATUS_UNSPECIFIED: GDeviceAssignmentStatus
ASSN_STATUS_ACTIVE: GDeviceAssignmentStatus
ASSN_STATUS_MISSING: GDeviceAssignmentStatus
ASSN_STATUS_RELEASED: GDeviceAssignmentStatus
EVENT_TYPE_MEASUREMENT: GDeviceEventType
EVENT_TYPE_LOCATION: GDeviceEventType
EVENT_TYPE_ALERT: GDeviceEventType
EVENT_TYPE_COMMAND_INVOCATION: GDeviceEventType
EVENT_TYPE_COMMAND_RESPONSE: GDeviceEventType
EVENT_TYPE_STATE_CHANGE: GDeviceEventType
CMD_INITIATOR_REST: GDeviceCommandInitiator
CMD_INITIATOR_BATCH_OPERATION: GDeviceCommandInitiator
CMD_INITIATOR_SCRIPT: GDeviceCommandInitiator
CMD_INITIATOR_SCHEDULER: GDeviceCommandInitiator
CMD_TARGET_ASSIGNMENT: GDeviceCommandTarget

class GOptionalDouble(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: float
    def __init__(self, value: _Optional[float] = ...) -> None: ...

class GOptionalBoolean(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: bool
    def __init__(self, value: _Optional[bool] = ...) -> None: ...

class GOptionalString(_message.Message):
    __slots__ = ("value",)
    VALUE_FIELD_NUMBER: _ClassVar[int]
    value: str
    def __init__(self, value: _Optional[str] = ...) -> None: ...

class GUUID(_message.Message):
    __slots__ = ("msb", "lsb")
    MSB_FIELD_NUMBER: _ClassVar[int]
    LSB_FIELD_NUMBER: _ClassVar[int]
    msb: int
    lsb: int
    def __init__(self, msb: _Optional[int] = ..., lsb: _Optional[int] = ...) -> None: ...

class GEntityInformation(_message.Message):
    __slots__ = ("id", "token", "createdDate", "createdBy", "updatedDate", "updatedBy", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    CREATEDDATE_FIELD_NUMBER: _ClassVar[int]
    CREATEDBY_FIELD_NUMBER: _ClassVar[int]
    UPDATEDDATE_FIELD_NUMBER: _ClassVar[int]
    UPDATEDBY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    id: GUUID
    token: str
    createdDate: int
    createdBy: GUserReference
    updatedDate: int
    updatedBy: GUserReference
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[_Union[GUUID, _Mapping]] = ..., token: _Optional[str] = ..., createdDate: _Optional[int] = ..., createdBy: _Optional[_Union[GUserReference, _Mapping]] = ..., updatedDate: _Optional[int] = ..., updatedBy: _Optional[_Union[GUserReference, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GBrandingInformation(_message.Message):
    __slots__ = ("imageUrl", "icon", "backgroundColor", "foregroundColor", "borderColor")
    IMAGEURL_FIELD_NUMBER: _ClassVar[int]
    ICON_FIELD_NUMBER: _ClassVar[int]
    BACKGROUNDCOLOR_FIELD_NUMBER: _ClassVar[int]
    FOREGROUNDCOLOR_FIELD_NUMBER: _ClassVar[int]
    BORDERCOLOR_FIELD_NUMBER: _ClassVar[int]
    imageUrl: GOptionalString
    icon: GOptionalString
    backgroundColor: GOptionalString
    foregroundColor: GOptionalString
    borderColor: GOptionalString
    def __init__(self, imageUrl: _Optional[_Union[GOptionalString, _Mapping]] = ..., icon: _Optional[_Union[GOptionalString, _Mapping]] = ..., backgroundColor: _Optional[_Union[GOptionalString, _Mapping]] = ..., foregroundColor: _Optional[_Union[GOptionalString, _Mapping]] = ..., borderColor: _Optional[_Union[GOptionalString, _Mapping]] = ...) -> None: ...

class GPaging(_message.Message):
    __slots__ = ("pageNumber", "pageSize")
    PAGENUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGESIZE_FIELD_NUMBER: _ClassVar[int]
    pageNumber: int
    pageSize: int
    def __init__(self, pageNumber: _Optional[int] = ..., pageSize: _Optional[int] = ...) -> None: ...

class GDateRangeSearchCriteria(_message.Message):
    __slots__ = ("startDate", "endDate", "pageNumber", "pageSize")
    STARTDATE_FIELD_NUMBER: _ClassVar[int]
    ENDDATE_FIELD_NUMBER: _ClassVar[int]
    PAGENUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGESIZE_FIELD_NUMBER: _ClassVar[int]
    startDate: int
    endDate: int
    pageNumber: int
    pageSize: int
    def __init__(self, startDate: _Optional[int] = ..., endDate: _Optional[int] = ..., pageNumber: _Optional[int] = ..., pageSize: _Optional[int] = ...) -> None: ...

class GUserReference(_message.Message):
    __slots__ = ("username",)
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    username: str
    def __init__(self, username: _Optional[str] = ...) -> None: ...
