from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GBatchOperationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BATCH_OPERATION_STATUS_UNPROCESSED: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_INITIALIZING: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_PAUSED: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_CANCELING: _ClassVar[GBatchOperationStatus]
    BATCH_OPERATION_STATUS_CANCELED: _ClassVar[GBatchOperationStatus]

class GElementProcessingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BATCH_ELEMENT_STATUS_UNPROCESSED: _ClassVar[GElementProcessingStatus]
    BATCH_ELEMENT_STATUS_PROCESSING: _ClassVar[GElementProcessingStatus]
    BATCH_ELEMENT_STATUS_FAILED: _ClassVar[GElementProcessingStatus]
    BATCH_ELEMENT_STATUS_SUCCEEDED: _ClassVar[GElementProcessingStatus]
    BATCH_ELEMENT_STATUS_CANCELED: _ClassVar[GElementProcessingStatus]
BATCH_OPERATION_STATUS_UNPROCESSED: GBatchOperationStatus
BATCH_OPERATION_STATUS_INITIALIZING: GBatchOperationStatus
BATCH_OPERATION_STATUS_INITIALIZED_SUCCESSFULLY: GBatchOperationStatus
BATCH_OPERATION_STATUS_INITIALIZED_WITH_ERRORS: GBatchOperationStatus
BATCH_OPERATION_STATUS_FINISHED_SUCCESSFULLY: GBatchOperationStatus
BATCH_OPERATION_STATUS_FINISHED_WITH_ERRORS: GBatchOperationStatus
BATCH_OPERATION_STATUS_PAUSED: GBatchOperationStatus
BATCH_OPERATION_STATUS_CANCELING: GBatchOperationStatus
BATCH_OPERATION_STATUS_CANCELED: GBatchOperationStatus
BATCH_ELEMENT_STATUS_UNPROCESSED: GElementProcessingStatus
BATCH_ELEMENT_STATUS_PROCESSING: GElementProcessingStatus
BATCH_ELEMENT_STATUS_FAILED: GElementProcessingStatus
BATCH_ELEMENT_STATUS_SUCCEEDED: GElementProcessingStatus
BATCH_ELEMENT_STATUS_CANCELED: GElementProcessingStatus

class GBatchOperationCreateRequest(_message.Message):
    __slots__ = ("token", "operationType", "parameters", "deviceTokens", "metadata")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    OPERATIONTYPE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKENS_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    token: _sitewhere_common_pb2.GOptionalString
    operationType: str
    parameters: _containers.ScalarMap[str, str]
    deviceTokens: _containers.RepeatedScalarFieldContainer[str]
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, token: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., operationType: _Optional[str] = ..., parameters: _Optional[_Mapping[str, str]] = ..., deviceTokens: _Optional[_Iterable[str]] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GBatchCommandInvocationCreateRequest(_message.Message):
    __slots__ = ("token", "commandToken", "parameters", "deviceTokens")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMANDTOKEN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKENS_FIELD_NUMBER: _ClassVar[int]
    token: _sitewhere_common_pb2.GOptionalString
    commandToken: str
    parameters: _containers.ScalarMap[str, str]
    deviceTokens: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., commandToken: _Optional[str] = ..., parameters: _Optional[_Mapping[str, str]] = ..., deviceTokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GBatchOperationUpdateRequest(_message.Message):
    __slots__ = ("processingStatus", "processingStartedDate", "processingEndedDate", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGSTARTEDDATE_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGENDEDDATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    processingStatus: GBatchOperationStatus
    processingStartedDate: int
    processingEndedDate: int
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, processingStatus: _Optional[_Union[GBatchOperationStatus, str]] = ..., processingStartedDate: _Optional[int] = ..., processingEndedDate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GBatchOperationSearchCriteria(_message.Message):
    __slots__ = ("includeDeleted", "paging", "statuses")
    INCLUDEDELETED_FIELD_NUMBER: _ClassVar[int]
    PAGING_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    includeDeleted: _sitewhere_common_pb2.GOptionalBoolean
    paging: _sitewhere_common_pb2.GPaging
    statuses: _containers.RepeatedScalarFieldContainer[GBatchOperationStatus]
    def __init__(self, includeDeleted: _Optional[_Union[_sitewhere_common_pb2.GOptionalBoolean, _Mapping]] = ..., paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[GBatchOperationStatus, str]]] = ...) -> None: ...

class GBatchOperationSearchResults(_message.Message):
    __slots__ = ("count", "batchOperations")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    BATCHOPERATIONS_FIELD_NUMBER: _ClassVar[int]
    count: int
    batchOperations: _containers.RepeatedCompositeFieldContainer[GBatchOperation]
    def __init__(self, count: _Optional[int] = ..., batchOperations: _Optional[_Iterable[_Union[GBatchOperation, _Mapping]]] = ...) -> None: ...

class GBatchOperation(_message.Message):
    __slots__ = ("id", "token", "operationType", "parameters", "processingStatus", "processingStartedDate", "processingEndedDate", "metadata", "entityInformation", "unprocessedCount", "processingCount", "succeededCount", "failedCount", "elementCount", "deviceTokenCount", "targetingSummary", "lastError", "canceledCount", "pausedPhase", "lastControl", "waitingOn", "round")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    OPERATIONTYPE_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGSTARTEDDATE_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGENDEDDATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ENTITYINFORMATION_FIELD_NUMBER: _ClassVar[int]
    UNPROCESSEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGCOUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    FAILEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKENCOUNT_FIELD_NUMBER: _ClassVar[int]
    TARGETINGSUMMARY_FIELD_NUMBER: _ClassVar[int]
    LASTERROR_FIELD_NUMBER: _ClassVar[int]
    CANCELEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    PAUSEDPHASE_FIELD_NUMBER: _ClassVar[int]
    LASTCONTROL_FIELD_NUMBER: _ClassVar[int]
    WAITINGON_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    token: str
    operationType: str
    parameters: _containers.ScalarMap[str, str]
    processingStatus: GBatchOperationStatus
    processingStartedDate: int
    processingEndedDate: int
    metadata: _containers.ScalarMap[str, str]
    entityInformation: _sitewhere_common_pb2.GEntityInformation
    unprocessedCount: int
    processingCount: int
    succeededCount: int
    failedCount: int
    elementCount: int
    deviceTokenCount: int
    targetingSummary: str
    lastError: str
    canceledCount: int
    pausedPhase: GBatchOperationStatus
    lastControl: GBatchOperationControl
    waitingOn: str
    round: int
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., token: _Optional[str] = ..., operationType: _Optional[str] = ..., parameters: _Optional[_Mapping[str, str]] = ..., processingStatus: _Optional[_Union[GBatchOperationStatus, str]] = ..., processingStartedDate: _Optional[int] = ..., processingEndedDate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., entityInformation: _Optional[_Union[_sitewhere_common_pb2.GEntityInformation, _Mapping]] = ..., unprocessedCount: _Optional[int] = ..., processingCount: _Optional[int] = ..., succeededCount: _Optional[int] = ..., failedCount: _Optional[int] = ..., elementCount: _Optional[int] = ..., deviceTokenCount: _Optional[int] = ..., targetingSummary: _Optional[str] = ..., lastError: _Optional[str] = ..., canceledCount: _Optional[int] = ..., pausedPhase: _Optional[_Union[GBatchOperationStatus, str]] = ..., lastControl: _Optional[_Union[GBatchOperationControl, _Mapping]] = ..., waitingOn: _Optional[str] = ..., round: _Optional[int] = ...) -> None: ...

class GBatchOperationControl(_message.Message):
    __slots__ = ("action", "username", "date", "reason")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    action: str
    username: str
    date: int
    reason: str
    def __init__(self, action: _Optional[str] = ..., username: _Optional[str] = ..., date: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class GBatchElementCreateRequest(_message.Message):
    __slots__ = ("processingStatus", "processedDate", "metadata", "deviceToken", "errorMessage")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    PROCESSEDDATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKEN_FIELD_NUMBER: _ClassVar[int]
    ERRORMESSAGE_FIELD_NUMBER: _ClassVar[int]
    processingStatus: GElementProcessingStatus
    processedDate: int
    metadata: _containers.ScalarMap[str, str]
    deviceToken: str
    errorMessage: str
    def __init__(self, processingStatus: _Optional[_Union[GElementProcessingStatus, str]] = ..., processedDate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., deviceToken: _Optional[str] = ..., errorMessage: _Optional[str] = ...) -> None: ...

class GElementProcessingStatusFilter(_message.Message):
    __slots__ = ("processingStatus",)
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    processingStatus: GElementProcessingStatus
    def __init__(self, processingStatus: _Optional[_Union[GElementProcessingStatus, str]] = ...) -> None: ...

class GBatchElementSearchCriteria(_message.Message):
    __slots__ = ("processingStatusFilter", "paging")
    PROCESSINGSTATUSFILTER_FIELD_NUMBER: _ClassVar[int]
    PAGING_FIELD_NUMBER: _ClassVar[int]
    processingStatusFilter: GElementProcessingStatusFilter
    paging: _sitewhere_common_pb2.GPaging
    def __init__(self, processingStatusFilter: _Optional[_Union[GElementProcessingStatusFilter, _Mapping]] = ..., paging: _Optional[_Union[_sitewhere_common_pb2.GPaging, _Mapping]] = ...) -> None: ...

class GBatchElementSearchResults(_message.Message):
    __slots__ = ("count", "batchElements")
    COUNT_FIELD_NUMBER: _ClassVar[int]
    BATCHELEMENTS_FIELD_NUMBER: _ClassVar[int]
    count: int
    batchElements: _containers.RepeatedCompositeFieldContainer[GBatchElement]
    def __init__(self, count: _Optional[int] = ..., batchElements: _Optional[_Iterable[_Union[GBatchElement, _Mapping]]] = ...) -> None: ...

class GBatchElement(_message.Message):
    __slots__ = ("id", "batchOperationId", "deviceId", "processingStatus", "processedDate", "metadata", "deviceToken", "errorMessage", "attemptCount", "processingDurationMs", "round", "earlierRounds")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    DEVICEID_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    PROCESSEDDATE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKEN_FIELD_NUMBER: _ClassVar[int]
    ERRORMESSAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGDURATIONMS_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    EARLIERROUNDS_FIELD_NUMBER: _ClassVar[int]
    id: _sitewhere_common_pb2.GUUID
    batchOperationId: _sitewhere_common_pb2.GUUID
    deviceId: _sitewhere_common_pb2.GUUID
    processingStatus: GElementProcessingStatus
    processedDate: int
    metadata: _containers.ScalarMap[str, str]
    deviceToken: str
    errorMessage: str
    attemptCount: int
    processingDurationMs: int
    round: int
    earlierRounds: _containers.RepeatedCompositeFieldContainer[GBatchElementRound]
    def __init__(self, id: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., deviceId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., processingStatus: _Optional[_Union[GElementProcessingStatus, str]] = ..., processedDate: _Optional[int] = ..., metadata: _Optional[_Mapping[str, str]] = ..., deviceToken: _Optional[str] = ..., errorMessage: _Optional[str] = ..., attemptCount: _Optional[int] = ..., processingDurationMs: _Optional[int] = ..., round: _Optional[int] = ..., earlierRounds: _Optional[_Iterable[_Union[GBatchElementRound, _Mapping]]] = ...) -> None: ...

class GBatchElementRound(_message.Message):
    __slots__ = ("round", "processingStatus", "errorMessage", "attemptCount", "processedDate")
    ROUND_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGSTATUS_FIELD_NUMBER: _ClassVar[int]
    ERRORMESSAGE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTCOUNT_FIELD_NUMBER: _ClassVar[int]
    PROCESSEDDATE_FIELD_NUMBER: _ClassVar[int]
    round: int
    processingStatus: GElementProcessingStatus
    errorMessage: str
    attemptCount: int
    processedDate: int
    def __init__(self, round: _Optional[int] = ..., processingStatus: _Optional[_Union[GElementProcessingStatus, str]] = ..., errorMessage: _Optional[str] = ..., attemptCount: _Optional[int] = ..., processedDate: _Optional[int] = ...) -> None: ...

class GBatchCommandByDeviceCriteriaCreateRequest(_message.Message):
    __slots__ = ("token", "commandToken", "parameterValues", "deviceTypeToken")
    class ParameterValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMANDTOKEN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERVALUES_FIELD_NUMBER: _ClassVar[int]
    DEVICETYPETOKEN_FIELD_NUMBER: _ClassVar[int]
    token: _sitewhere_common_pb2.GOptionalString
    commandToken: str
    parameterValues: _containers.ScalarMap[str, str]
    deviceTypeToken: str
    def __init__(self, token: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., commandToken: _Optional[str] = ..., parameterValues: _Optional[_Mapping[str, str]] = ..., deviceTypeToken: _Optional[str] = ...) -> None: ...

class GBatchCommandByGroupCreateRequest(_message.Message):
    __slots__ = ("token", "commandToken", "parameterValues", "groupToken", "roles")
    class ParameterValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMANDTOKEN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERVALUES_FIELD_NUMBER: _ClassVar[int]
    GROUPTOKEN_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    token: _sitewhere_common_pb2.GOptionalString
    commandToken: str
    parameterValues: _containers.ScalarMap[str, str]
    groupToken: str
    roles: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., commandToken: _Optional[str] = ..., parameterValues: _Optional[_Mapping[str, str]] = ..., groupToken: _Optional[str] = ..., roles: _Optional[_Iterable[str]] = ...) -> None: ...

class GBatchCommandByAssignmentCriteriaCreateRequest(_message.Message):
    __slots__ = ("token", "commandToken", "parameterValues", "deviceTypeTokens", "customerTokens", "areaTokens", "assetTokens")
    class ParameterValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMANDTOKEN_FIELD_NUMBER: _ClassVar[int]
    PARAMETERVALUES_FIELD_NUMBER: _ClassVar[int]
    DEVICETYPETOKENS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMERTOKENS_FIELD_NUMBER: _ClassVar[int]
    AREATOKENS_FIELD_NUMBER: _ClassVar[int]
    ASSETTOKENS_FIELD_NUMBER: _ClassVar[int]
    token: _sitewhere_common_pb2.GOptionalString
    commandToken: str
    parameterValues: _containers.ScalarMap[str, str]
    deviceTypeTokens: _containers.RepeatedScalarFieldContainer[str]
    customerTokens: _containers.RepeatedScalarFieldContainer[str]
    areaTokens: _containers.RepeatedScalarFieldContainer[str]
    assetTokens: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, token: _Optional[_Union[_sitewhere_common_pb2.GOptionalString, _Mapping]] = ..., commandToken: _Optional[str] = ..., parameterValues: _Optional[_Mapping[str, str]] = ..., deviceTypeTokens: _Optional[_Iterable[str]] = ..., customerTokens: _Optional[_Iterable[str]] = ..., areaTokens: _Optional[_Iterable[str]] = ..., assetTokens: _Optional[_Iterable[str]] = ...) -> None: ...

class GUnprocessedBatchOperation(_message.Message):
    __slots__ = ("batchOperation", "deviceTokens", "chunkIndex", "chunkCount")
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    DEVICETOKENS_FIELD_NUMBER: _ClassVar[int]
    CHUNKINDEX_FIELD_NUMBER: _ClassVar[int]
    CHUNKCOUNT_FIELD_NUMBER: _ClassVar[int]
    batchOperation: GBatchOperation
    deviceTokens: _containers.RepeatedScalarFieldContainer[str]
    chunkIndex: int
    chunkCount: int
    def __init__(self, batchOperation: _Optional[_Union[GBatchOperation, _Mapping]] = ..., deviceTokens: _Optional[_Iterable[str]] = ..., chunkIndex: _Optional[int] = ..., chunkCount: _Optional[int] = ...) -> None: ...

class GUnprocessedBatchElement(_message.Message):
    __slots__ = ("batchElement",)
    BATCHELEMENT_FIELD_NUMBER: _ClassVar[int]
    batchElement: GBatchElement
    def __init__(self, batchElement: _Optional[_Union[GBatchElement, _Mapping]] = ...) -> None: ...

class GBatchOperationEvent(_message.Message):
    __slots__ = ("batchOperationId", "batchOperationToken", "kind", "oldStatus", "newStatus", "unprocessedCount", "processingCount", "succeededCount", "failedCount", "canceledCount", "elementCount", "reason", "username", "date", "sequence", "round")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    BATCHOPERATIONTOKEN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OLDSTATUS_FIELD_NUMBER: _ClassVar[int]
    NEWSTATUS_FIELD_NUMBER: _ClassVar[int]
    UNPROCESSEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    PROCESSINGCOUNT_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    FAILEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    CANCELEDCOUNT_FIELD_NUMBER: _ClassVar[int]
    ELEMENTCOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    batchOperationToken: str
    kind: str
    oldStatus: GBatchOperationStatus
    newStatus: GBatchOperationStatus
    unprocessedCount: int
    processingCount: int
    succeededCount: int
    failedCount: int
    canceledCount: int
    elementCount: int
    reason: str
    username: str
    date: int
    sequence: int
    round: int
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., batchOperationToken: _Optional[str] = ..., kind: _Optional[str] = ..., oldStatus: _Optional[_Union[GBatchOperationStatus, str]] = ..., newStatus: _Optional[_Union[GBatchOperationStatus, str]] = ..., unprocessedCount: _Optional[int] = ..., processingCount: _Optional[int] = ..., succeededCount: _Optional[int] = ..., failedCount: _Optional[int] = ..., canceledCount: _Optional[int] = ..., elementCount: _Optional[int] = ..., reason: _Optional[str] = ..., username: _Optional[str] = ..., date: _Optional[int] = ..., sequence: _Optional[int] = ..., round: _Optional[int] = ...) -> None: ...
