"""The gRPC server: our services, the standard health service, reflection, graceful stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent import futures
from typing import Any, NoReturn

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from batchops.api.errors import safe_deserializer
from batchops.api.interceptors import Behaviour, short_method, wrap_handler
from batchops.api.streamed_tokens import streamed_create_parser
from batchops.api.tls import TlsFiles, server_credentials

log = logging.getLogger(__name__)


def _unimplemented(name: str) -> Callable[[Any, grpc.ServicerContext], Any]:
    def handler(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNIMPLEMENTED, f"1:{name} is not implemented.")

    return handler


class OversizedRequest:
    """Stands in for a request larger than its method allows; the bytes are never parsed."""

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit


def _bounded(parse: Callable[[bytes], Any], limit: int) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        return OversizedRequest(len(data), limit) if len(data) > limit else parse(data)

    return deserialize


def _refuse(name: str, request: OversizedRequest, context: grpc.ServicerContext) -> NoReturn:
    context.abort(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"1:{name} request of {request.size} bytes exceeds the {request.limit} bytes allowed.",
    )
    raise AssertionError("unreachable")  # abort raises


def _checked(requests: Iterator[Any], name: str, context: grpc.ServicerContext) -> Iterator[Any]:
    for request in requests:
        if isinstance(request, OversizedRequest):
            _refuse(name, request, context)
        yield request


def _refusing_oversized(
    name: str, behaviour: Callable[[Any, grpc.ServicerContext], Any], streaming: bool = False
) -> Any:
    """``behaviour``, answering RESOURCE_EXHAUSTED for a request ``_bounded`` left unparsed."""

    def run(request: Any, context: grpc.ServicerContext) -> Any:
        if streaming:
            return behaviour(_checked(request, name, context), context)
        if isinstance(request, OversizedRequest):
            _refuse(name, request, context)
        return behaviour(request, context)

    return run


def service_handler(
    descriptor: ServiceDescriptor, servicer: object, max_request_bytes: int | None = None
) -> grpc.GenericRpcHandler:
    """Register ``servicer``'s methods for a service by descriptor.

    Requests are decoded with a deserializer that never raises, so undecodable bytes reach the
    method (which answers INVALID_ARGUMENT) instead of gRPC's own INTERNAL. Methods the servicer
    lacks answer UNIMPLEMENTED. Methods the servicer lists in ``streamed_token_methods`` get their
    requests as ``StreamedCreate`` (see ``api.streamed_tokens``) and may use the server's whole
    receive limit; every other method's requests above ``max_request_bytes`` are refused with
    RESOURCE_EXHAUSTED before they are parsed.
    """
    from google.protobuf import message_factory

    streamed = getattr(servicer, "streamed_token_methods", ())
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {}
    for method in descriptor.methods:
        request_class = message_factory.GetMessageClass(method.input_type)
        response_class = message_factory.GetMessageClass(method.output_type)
        behaviour = getattr(servicer, method.name, None) or _unimplemented(method.name)
        parse: Callable[[bytes], Any] = request_class.FromString
        if method.name in streamed:
            parse = streamed_create_parser(parse)
        deserialize = safe_deserializer(parse)
        if method.name not in streamed and max_request_bytes is not None:
            deserialize = _bounded(deserialize, max_request_bytes)
            behaviour = _refusing_oversized(method.name, behaviour)
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            behaviour,
            request_deserializer=deserialize,
            response_serializer=response_class.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(descriptor.full_name, handlers)


HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check"
_SIDE_SERVICES = ("/grpc.health.v1.Health/", f"/{reflection.SERVICE_NAME}/")


class SidePools(grpc.ServerInterceptor):
    """Runs health and reflection on their own small thread pools, never on the API's workers.

    A liveness probe must not fail because one tenant's slow calls hold every worker. Health
    ``Check`` gets a pool of its own; ``Watch`` and reflection (long-lived streams that could hold
    their threads) share another, so they cannot starve ``Check`` either. gRPC's sync server runs a
    behaviour on the pool named by its ``experimental_thread_pool`` attribute; install this
    interceptor first (outermost), so that the behaviour carrying it is the one the server sees.
    """

    def __init__(
        self, max_request_bytes: int | None = None, check_workers: int = 2, stream_workers: int = 4
    ) -> None:
        self._max_request_bytes = max_request_bytes  # their requests are tiny: the small limit
        self.check_pool = futures.ThreadPoolExecutor(check_workers, thread_name_prefix="grpc-health")
        self.stream_pool = futures.ThreadPoolExecutor(stream_workers, thread_name_prefix="grpc-side")

    def intercept_service(self, continuation: Any, handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or not method.startswith(_SIDE_SERVICES):
            return handler
        pool = self.check_pool if method == HEALTH_CHECK_METHOD else self.stream_pool
        limit = self._max_request_bytes
        if limit is None or handler.request_deserializer is None:
            return wrap_handler(handler, lambda behaviour: _on_pool(behaviour, pool))
        name = short_method(method)
        streaming = bool(handler.request_streaming)
        return wrap_handler(
            handler,
            lambda behaviour: _on_pool(_refusing_oversized(name, behaviour, streaming), pool),
            request_deserializer=_bounded(handler.request_deserializer, limit),
        )

    def shutdown(self) -> None:
        self.check_pool.shutdown(wait=False, cancel_futures=True)
        self.stream_pool.shutdown(wait=False, cancel_futures=True)


def _on_pool(behaviour: Behaviour, pool: futures.ThreadPoolExecutor) -> Behaviour:
    def run(request: Any, context: grpc.ServicerContext) -> Any:
        return behaviour(request, context)

    run.experimental_thread_pool = pool  # type: ignore[attr-defined]
    return run


class GrpcServer:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_message_bytes: int,
        max_request_bytes: int | None = None,
        max_workers: int = 32,
        interceptors: Sequence[grpc.ServerInterceptor] = (),
        tls: TlsFiles | None = None,
        health_port: int | None = None,
    ) -> None:
        self._side_pools = SidePools(max_request_bytes)
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="grpc"),
            interceptors=[self._side_pools, *interceptors],
            options=[
                ("grpc.max_receive_message_length", max_message_bytes),
                ("grpc.max_send_message_length", max_message_bytes),
                ("grpc.so_reuseport", 0),
                # Identity only: a compressed request is refused (UNIMPLEMENTED) from its headers,
                # before a small gzip body could inflate to the whole receive limit.
                ("grpc.compression_enabled_algorithms_bitset", 1),
            ],
        )
        self._max_request_bytes = max_request_bytes
        self._health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        self._service_names: list[str] = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
        address = f"{host}:{port}"
        if tls is None:
            self.port = self._server.add_insecure_port(address)
        else:
            self.port = self._server.add_secure_port(address, server_credentials(tls))
        if self.port == 0:
            raise OSError(f"cannot listen on {address} (address in use?)")
        self.host = host
        self.tls = tls is not None
        self._health_server: grpc.Server | None = None
        self.health_port: int | None = None
        if health_port is not None:
            self._health_server, self.health_port = self._plaintext_health(host, health_port)

    def _plaintext_health(self, host: str, port: int) -> tuple[grpc.Server, int]:
        """Health alone, without TLS, on its own port and threads: for probes that cannot speak
        TLS (Kubernetes' gRPC probe) when the API requires it. It reveals only serving status."""
        server = grpc.server(futures.ThreadPoolExecutor(2, thread_name_prefix="grpc-probe"))
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        bound = server.add_insecure_port(f"{host}:{port}")
        if bound == 0:
            raise OSError(f"cannot listen on {host}:{port} for health checks (address in use?)")
        return server, bound

    def add_service(self, descriptor: ServiceDescriptor, servicer: object) -> None:
        self.add_handler(descriptor.full_name, service_handler(descriptor, servicer, self._max_request_bytes))

    def add_handler(self, service_name: str, handler: grpc.GenericRpcHandler) -> None:
        """Serve a service from a ready-made handler (health and reflection list it too)."""
        self._server.add_generic_rpc_handlers((handler,))
        self._service_names.append(service_name)

    def start(self, serving_services: Iterable[str] | None = None) -> None:
        reflection.enable_server_reflection([*self._service_names, reflection.SERVICE_NAME], self._server)
        self._server.start()
        if self._health_server is not None:
            self._health_server.start()
        self.set_serving(True, serving_services)
        log.info(
            "gRPC API listening",
            extra={"address": f"{self.host}:{self.port}", "tls": self.tls, "health_port": self.health_port},
        )

    def set_serving(self, serving: bool, services: Iterable[str] | None = None) -> None:
        answer = health_pb2.HealthCheckResponse
        status = answer.SERVING if serving else answer.NOT_SERVING
        self._health.set("", status)
        for name in services if services is not None else self._service_names:
            self._health.set(name, status)

    def set_service_health(self, name: str, serving: bool | None) -> None:
        """One named entry of grpc.health.v1: SERVING, NOT_SERVING, or None for unknown."""
        answer = health_pb2.HealthCheckResponse
        if serving is None:
            self._health.set(name, answer.SERVICE_UNKNOWN)
        else:
            self._health.set(name, answer.SERVING if serving else answer.NOT_SERVING)

    def stop(self, grace_seconds: float) -> None:
        """Refuse new calls, let in-flight calls finish within the grace period."""
        self.begin_stop(grace_seconds).wait()
        self.finish_stop()

    def begin_stop(self, grace_seconds: float) -> threading.Event:
        """Without waiting: health NOT_SERVING, new calls refused; in-flight calls may finish
        within the grace period (then they are cancelled). The event is set once none is left."""
        self.set_serving(False)
        return self._server.stop(grace_seconds)

    def finish_stop(self) -> None:
        """After ``begin_stop``'s event: stop the health-only port and the side pools."""
        if self._health_server is not None:
            self._health_server.stop(None).wait()
        self._side_pools.shutdown()

    def wait(self) -> None:
        self._server.wait_for_termination()
