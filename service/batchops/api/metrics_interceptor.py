"""The gRPC side of the metrics: every unary-response call counted and timed by method and status
code (the counters themselves live in batchops.metrics, with the others)."""

from __future__ import annotations

import time
from typing import Any

import grpc

from batchops import metrics
from batchops.api.interceptors import Behaviour, Handler, short_method, wrap_handler


def _code_name(context: grpc.ServicerContext, default: str) -> str:
    # ServicerContext.code() exists at run time (grpcio >= 1.38) but not in the type stubs.
    getter = getattr(context, "code", None)
    code = getter() if callable(getter) else None
    return code.name if isinstance(code, grpc.StatusCode) else default


class MetricsInterceptor(grpc.ServerInterceptor):
    """Counts and times every unary-response call by method and final status code.

    Install it first (outermost) so that calls refused by later interceptors are counted too.
    """

    def intercept_service(self, continuation: Any, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler: Handler | None = continuation(handler_call_details)
        if handler is None or handler.response_streaming:
            return handler
        method = short_method(handler_call_details.method)
        return wrap_handler(handler, lambda behaviour: self._measured(method, behaviour))

    @staticmethod
    def _measured(method: str, behaviour: Behaviour) -> Behaviour:
        def measured(request: Any, context: grpc.ServicerContext) -> Any:
            started = time.perf_counter()
            code = "UNKNOWN"
            try:
                response = behaviour(request, context)
                code = _code_name(context, "OK")
                return response
            except BaseException:  # context.abort() raises; the code it set is what the client sees
                code = _code_name(context, "UNKNOWN")
                raise
            finally:
                metrics.GRPC_REQUESTS.labels(method, code).inc()
                metrics.GRPC_DURATION.labels(method).observe(time.perf_counter() - started)

        return measured
