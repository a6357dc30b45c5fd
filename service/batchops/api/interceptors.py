"""Helpers shared by our server interceptors (auth, metrics).

Sync gRPC calls ``intercept_service`` on the server's polling thread, not on the worker thread
that runs the method. So per-call work (verifying a token, setting a context variable, timing)
must wrap the handler's *behaviour*, which does run on the worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import grpc

Behaviour = Callable[[Any, grpc.ServicerContext], Any]
BehaviourWrapper = Callable[[Behaviour], Behaviour]
# A string: grpc.RpcMethodHandler is generic only in the type stubs.
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"

_FACTORIES: dict[str, Callable[..., Handler]] = {
    "unary_unary": grpc.unary_unary_rpc_method_handler,
    "unary_stream": grpc.unary_stream_rpc_method_handler,
    "stream_unary": grpc.stream_unary_rpc_method_handler,
    "stream_stream": grpc.stream_stream_rpc_method_handler,
}


def wrap_handler(
    handler: Handler, wrap: BehaviourWrapper, request_deserializer: Callable[[bytes], Any] | None = None
) -> Handler:
    """A copy of ``handler`` whose behaviour, whatever its streaming kind, is ``wrap(behaviour)``
    (and whose deserializer is ``request_deserializer``, if given).

    For response-streaming methods the wrapper sees only the call that creates the response
    iterator, not its iteration.
    """
    for kind, factory in _FACTORIES.items():
        behaviour: Behaviour | None = getattr(handler, kind, None)
        if behaviour is not None:
            return factory(
                wrap(behaviour),
                request_deserializer=request_deserializer or handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    return handler


def header(metadata: Sequence[tuple[str, str | bytes]] | None, key: str) -> str | None:
    """The first value of a metadata key (keys arrive lower-cased), decoded as UTF-8."""
    for item_key, value in metadata or ():
        if item_key == key:
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return None


def short_method(full_method: str) -> str:
    """``/com.sitewhere.grpc.service.BatchManagement/GetBatchOperation``
    -> ``BatchManagement/GetBatchOperation`` (short, bounded label values)."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    return f"{service.rsplit('.', 1)[-1]}/{method}" if service else method
