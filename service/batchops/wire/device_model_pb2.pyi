from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GDeviceTypeReference(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GDeviceType(_message.Message):
    __slots__ = ("name", "description", "imageUrl", "containerPolicy", "entityInformation", "branding")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IMAGEURL_FIELD_NUMBER: _ClassVar[int]
    CONTAINERPOLICY_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    BRANDING_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    imageUrl: str
    containerPolicy: _sitewhere_common_pb2.GDeviceContainerPolicy
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    branding: _sitewhere_common_pb2.GBrandingInformation
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., imageUrl: _Optional[str] = ..., containerPolicy: _Optional[_Union[_sitewhere_common_pb2.GDeviceContainerPolicy, str]] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ..., branding: _Optional[_Union[_sitewhere_common_pb2.GBrandingInformation, _Mapping]] = ...) -> None: ...

class GCommandParameter(_message.Message):
    __slots__ = ("name", "type", "required")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: _sitewhere_common_pb2.GParameterType
    required: bool
    def __init__(self, name: _Optional[str] = ..., type: _Optional[_Union[_sitewhere_common_pb2.GParameterType, str]] = ..., required: _Optional[bool] = ...) -> None: ...

class GDeviceCommandSearchCriteria(_message.Message):
    __slots__ = ("deviceTypeToken", "paging")
    DEVICETYPETOKEN_FIELD_NUMBER: _ClassVar[int]
    PAGING_FIELD_NUMBER: _ClassVar[int]
    deviceTypeToken: _sitewhere_common_pb2.GOptionalString
    paging: _sitewhere_common_pb2.GPaging
    def __init__(self, deviceTypeToken: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ...) -> None: ...

class GDeviceCommandSearchResults(_message.Message):
    __slots__ = ("count", "deviceCommands")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    DEVICECOMMANDS_FIELD_NUMBER: _ClassVar[int]
    count: int
    deviceCommands: _containers.RepeatedCompositeFieldContainer[GDeviceCommand]
    def __init__(self, count: _Optional[int] = ..., deviceCommands: _Optional[_Iterable[_Union[GDeviceCommand, _Mapping]]] = ...) -> None: ...

class GDeviceCommand(_message.Message):
    __slots__ = ("deviceTypeId", "namespace", "name", "description", "parameters", "entityInformation")
    DEVICETYPEID_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    deviceTypeId: _sitewhere_common_pb2.GUUID
    namespace: str
    name: str
    description: str
    parameters: _containers.RepeatedCompositeFieldContainer[GCommandParameter]
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    def __init__(self, deviceTypeId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., namespace: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., parameters: _Optional[_Iterable[_Union[GCommandParameter, _Mapping]]] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ...) -> None: ...

class GDeviceElementMapping(_message.Message):
    __slots__ = ("schemaPath", "deviceToken")
    SCHEMAPATH_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKEN_FIELD_NUMBER: _ClassVar[int]
    schemaPath: str
    deviceToken: str
    def __init__(self, schemaPath: _Optional[str] = ..., deviceToken: _Optional[str] = ...) -> None: ...

class GDeviceSearchCriteria(_message.Message):
    __slots__ = ("deviceType", "excludeAssigned", "createdAfter", "createdBefore", "paging")
    DEVICETYPE_FIELD_NUMBER: _ClassVar[int]
    EXCLUDEASSIGNED_FIELD_NUMBER: _ClassVar[int]
    CREATEDAFTER_FIELD_NUMBER: _ClassVar[int]
    CREATEDBEFORE_FIELD_NUMBER: _ClassVar[int]
    PAGING_FIELD_NUMBER: _ClassVar[int]
    deviceType: GDeviceTypeReference
    excludeAssigned: _sitewhere_common_pb2.GOptionalBoolean
    createdAfter: int
    createdBefore: int
    paging: _sitewhere_common_pb2.GPaging
    def __init__(self, deviceType: _Optional[_Union[GDeviceTypeReference, _Mapping]] = ..., excludeAssigned: _Optional[_Union[_sitewhere_common_pb2.GOptionalBoolean, _Mapping]] = ..., createdAfter: _Optional[int] = ..., createdBefore: _Optional[int] = ..., paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ...) -> None: ...

class GDeviceSearchResults(_message.Message):
    __slots__ = ("count", "devices")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    DEVICES_FIELD_NUMBER: _ClassVar[int]
    count: int
    devices: _containers.RepeatedCompositeFieldContainer[GDevice]
    def __init__(self, count: _Optional[int] = ..., devices: _Optional[_Iterable[_Union[GDevice, _Mapping]]] = ...) -> None: ...

class GDevice(_message.Message):
    __slots__ = ("deviceTypeId", "activeAssignmentId", "parentDeviceId", "deviceElementMappings", "comments", "status", "entityInformation")
    DEVICETYPEID_FIELD_NUMBER: _ClassVar[int]
    ACTIVEASSIGNMENTID_FIELD_NUMBER: _ClassVar[int]
    PARENTDEVICEID_FIELD_NUMBER: _ClassVar[int]
    DEVICEELEMENTMAPPINGS_FIELD_NUMBER: _ClassVar[int]
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    deviceTypeId: _sitewhere_common_pb2.GUUID
    activeAssignmentId: _containers.RepeatedCompositeFieldContainer[_sitewhere_common_pb2.GUUID]
    parentDeviceId: _sitewhere_common_pb2.GUUID
    deviceElementMappings: _containers.RepeatedCompositeFieldContainer[GDeviceElementMapping]
    comments: _sitewhere_common_pb2.GOptionalString
    status: _sitewhere_common_pb2.GOptionalString
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    def __init__(self, deviceTypeId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., activeAssignmentId: _Optional[_Iterable[_Union[_sitewhere_common_pb2.GUUID, _Mapping]]] = ..., parentDeviceId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., deviceElementMappings: _Optional[_Iterable[_Union[GDeviceElementMapping, _Mapping]]] = ..., comments: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., status: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ...) -> None: ...

class GDeviceGroupElementsSearchCriteria(_message.Message):
    __slots__ = ("paging",)
    PAGING_FIELD_NUMBER: _ClassVar[int]
    paging: _sitewhere_common_pb2.GPaging
    def __init__(self, paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ...) -> None: ...

class GDeviceGroupElementsSearchResults(_message.Message):
    __slots__ = ("count", "elements")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ELEMENTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    elements: _containers.RepeatedCompositeFieldContainer[GDeviceGroupElement]
    def __init__(self, count: _Optional[int] = ..., elements: _Optional[_Iterable[_Union[GDeviceGroupElement, _Mapping]]] = ...) -> None: ...

class GDeviceGroupElement(_message.Message):
    __slots__ = ("id", "groupId", "deviceId", "nestedGroupId", "roles")
    ID_FIELD_NUMBER: _ClassVar[int]
    GROUPID_FIELD_NUMBER: _ClassVar[int]
    DEVICEID_FIELD_NUMBER: _ClassVar[int]
    NESTEDGROUPID_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    groupId: _sitewhere_common_pb2.GUUID
    deviceId: _sitewhere_common_pb2.GUUID
    nestedGroupId: _sitewhere_common_pb2.GUUID
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., groupId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., deviceId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., nestedGroupId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class GDeviceGroup(_message.Message):
    __slots__ = ("name", "description", "imageUrl", "roles", "entityInformation", "branding")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IMAGEURL_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    BRANDING_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    imageUrl: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    branding: _sitewhere_common_pb2.GBrandingInformation
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., imageUrl: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ..., branding: _Optional[_Union[_sitewhere_common_pb2.GBrandingInformation, _Mapping]] = ...) -> None: ...

class GDeviceAssignmentSearchCriteria(_message.Message):
    __slots__ = ("status", "deviceTokens", "deviceTypeTokens", "customerTokens", "areaTokens", "assetTokens", "paging")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKENS_FIELD_NUMBER: _ClassVar[int]
    DEVICETYPETOKENS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERTOKENS_FIELD_NUMBER: _ClassVar[int]
    AREATOKENS_FIELD_NUMBER: _ClassVar[int]
    ASSETTOKENS_FIELD_NUMBER: _ClassVar[int]
    PAGING_FIELD_NUMBER: _ClassVar[int]
    status: _containers.RepeatedScalarFieldContainer[_sitewhere_common_pb2.GDeviceAssignmentStatus]
    deviceTokens: _containers.RepeatedScalarFieldContainer[str]
    deviceTypeTokens: _containers.RepeatedScalarFieldContainer[str]
    customerTokens: _containers.RepeatedScalarFieldContainer[str]
    areaTokens: _containers.RepeatedScalarFieldContainer[str]
    assetTokens: _containers.RepeatedScalarFieldContainer[str]
    paging: _sitewhere_common_pb2.GPaging
    def __init__(self, status: _Optional[_Iterable[_Union[_sitewhere_common_pb2.GDeviceAssignmentStatus, str]]] = ..., deviceTokens: _Optional[_Iterable[str]] = ..., deviceTypeTokens: _Optional[_Iterable[str]] = ..., customerTokens: _Optional[_Iterable[str]] = ..., areaTokens: _Optional[_Iterable[str]] = ..., assetTokens: _Optional[_Iterable[str]] = ..., paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ...) -> None: ...

class GDeviceAssignmentSearchResults(_message.Message):
    __slots__ = ("count", "assignments")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    assignments: _containers.RepeatedCompositeFieldContainer[GDeviceAssignment]
    def __init__(self, count: _Optional[int] = ..., assignments: _Optional[_Iterable[_Union[GDeviceAssignment, _Mapping]]] = ...) -> None: ...

class GDeviceAssignment(_message.Message):
    __slots__ = ("deviceId", "deviceTypeId", "customerId", "areaId", "assetId", "status", "activeDate", "releasedDate", "entityInformation")
    DEVICEID_FIELD_NUMBER: _ClassVar[int]
    DEVICETYPEID_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERID_FIELD_NUMBER: _ClassVar[int]
    AREAID_FIELD_NUMBER: _ClassVar[int]
    ASSETID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTIVEDATE_FIELD_NUMBER: _ClassVar[int]
    RELEASEDDATE_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    deviceId: _sitewhere_common_pb2.GUUID
    deviceTypeId: _sitewhere_common_pb2.GUUID
    customerId: _sitewhere_common_pb2.GUUID
    areaId: _sitewhere_common_pb2.GUUID
    assetId: _sitewhere_common_pb2.GUUID
    status: _sitewhere_common_pb2.GDeviceAssignmentStatus
    activeDate: int
    releasedDate: int
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    def __init__(self, deviceId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., deviceTypeId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., customerId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., areaId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., assetId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., status: _Optional[_Union[_sitewhere_common_pb2.GDeviceAssignmentStatus, str]] = ..., activeDate: _Optional[int] = ..., releasedDate: _Optional[int] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ...) -> None: ...
