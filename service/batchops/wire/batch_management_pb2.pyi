from batchops.wire import batch_model_pb2 as _batch_model_pb2
from batchops.wire import sitewhere_common_pb2 as _sitewhere_common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GCreateBatchOperationRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: _batch_model_pb2.GBatchOperationCreateRequest
    def __init__(self, request: _Optional[_Union[_batch_model_pb2.GBatchOperationCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandInvocationRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: _batch_model_pb2.GBatchCommandInvocationCreateRequest
    def __init__(self, request: _Optional[_Union[_batch_model_pb2.GBatchCommandInvocationCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandInvocationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GUpdateBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId", "request")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    request: _batch_model_pb2.GBatchOperationUpdateRequest
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., request: _Optional[_Union[_batch_model_pb2.GBatchOperationUpdateRequest, _Mapping]] = ...) -> None: ...

class GUpdateBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GGetBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId",)
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GGetBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GGetBatchOperationByTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class GGetBatchOperationByTokenResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GListBatchOperationsRequest(_message.Message):
    __slots__ = ("criteria",)
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    criteria: _batch_model_pb2.GBatchOperationSearchCriteria
    def __init__(self, criteria: _Optional[_Union[_batch_model_pb2.GBatchOperationSearchCriteria, _Mapping]] = ...) -> None: ...

class GListBatchOperationsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _batch_model_pb2.GBatchOperationSearchResults
    def __init__(self, results: _Optional[_Union[_batch_model_pb2.GBatchOperationSearchResults, _Mapping]] = ...) -> None: ...

class GDeleteBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId",)
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ...) -> None: ...

class GDeleteBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GCreateBatchElementRequest(_message.Message):
    __slots__ = ("batchOperationId", "request")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    request: _batch_model_pb2.GBatchElementCreateRequest
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., request: _Optional[_Union[_batch_model_pb2.GBatchElementCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchElementResponse(_message.Message):
    __slots__ = ("element",)
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    element: _batch_model_pb2.GBatchElement
    def __init__(self, element: _Optional[_Union[_batch_model_pb2.GBatchElement, _Mapping]] = ...) -> None: ...

class GListBatchElementsRequest(_message.Message):
    __slots__ = ("batchOperationId", "criteria")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    criteria: _batch_model_pb2.GBatchElementSearchCriteria
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., criteria: _Optional[_Union[_batch_model_pb2.GBatchElementSearchCriteria, _Mapping]] = ...) -> None: ...

class GListBatchElementsResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _batch_model_pb2.GBatchElementSearchResults
    def __init__(self, results: _Optional[_Union[_batch_model_pb2.GBatchElementSearchResults, _Mapping]] = ...) -> None: ...

class GUpdateBatchElementRequest(_message.Message):
    __slots__ = ("elementId", "request")
    ELEMENTID_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    elementId: _sitewhere_common_pb2.GUUID
    request: _batch_model_pb2.GBatchElementCreateRequest
    def __init__(self, elementId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., request: _Optional[_Union[_batch_model_pb2.GBatchElementCreateRequest, _Mapping]] = ...) -> None: ...

class GUpdateBatchElementResponse(_message.Message):
    __slots__ = ("element",)
    ELEMENT_FIELD_NUMBER: _ClassVar[int]
    element: _batch_model_pb2.GBatchElement
    def __init__(self, element: _Optional[_Union[_batch_model_pb2.GBatchElement, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByDeviceCriteriaRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: _batch_model_pb2.GBatchCommandByDeviceCriteriaCreateRequest
    def __init__(self, request: _Optional[_Union[_batch_model_pb2.GBatchCommandByDeviceCriteriaCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByDeviceCriteriaResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByGroupRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: _batch_model_pb2.GBatchCommandByGroupCreateRequest
    def __init__(self, request: _Optional[_Union[_batch_model_pb2.GBatchCommandByGroupCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByGroupResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByAssignmentCriteriaRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: _batch_model_pb2.GBatchCommandByAssignmentCriteriaCreateRequest
    def __init__(self, request: _Optional[_Union[_batch_model_pb2.GBatchCommandByAssignmentCriteriaCreateRequest, _Mapping]] = ...) -> None: ...

class GCreateBatchCommandByAssignmentCriteriaResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GCancelBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId", "force", "reason")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    force: bool
    reason: str
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., force: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class GCancelBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GPauseBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId", "reason")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    reason: str
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class GPauseBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GResumeBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId", "reason")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    reason: str
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class GResumeBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation",)
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ...) -> None: ...

class GRetryBatchOperationRequest(_message.Message):
    __slots__ = ("batchOperationId", "statuses", "errorContains", "reason")
    BATCHOPERATIONID_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    ERRORCONTAINS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    batchOperationId: _sitewhere_common_pb2.GUUID
    statuses: _containers.RepeatedScalarFieldContainer[_batch_model_pb2.GElementProcessingStatus]
    errorContains: str
    reason: str
    def __init__(self, batchOperationId: _Optional[_Union[_sitewhere_common_pb2.GUUID, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[_batch_model_pb2.GElementProcessingStatus, str]]] = ..., errorContains: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class GRetryBatchOperationResponse(_message.Message):
    __slots__ = ("batchOperation", "elementsRetried")
    BATCHOPERATION_FIELD_NUMBER: _ClassVar[int]
    ELEMENTSRETRIED_FIELD_NUMBER: _ClassVar[int]
    batchOperation: _batch_model_pb2.GBatchOperation
    elementsRetried: int
    def __init__(self, batchOperation: _Optional[_Union[_batch_model_pb2.GBatchOperation, _Mapping]] = ..., elementsRetried: _Optional[int] = ...) -> None: ...
