# syntax=docker/dockerfile:1
# batchops container image: `docker build -t batchops .`
#   builder: regenerates the protobuf/gRPC stubs from protos/ and installs batchops into a venv;
#   runtime: python:3.11-slim with only that venv, running as an unprivileged user.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# protoc (bundled with grpcio-tools) is a build-time tool only: it never reaches the runtime image.
RUN pip install --no-cache-dir grpcio-tools==1.85.1
COPY pyproject.toml README.md* ./
COPY protos/ protos/
COPY tools/ tools/
COPY service/ service/
# Stubs are generated here, from the committed .proto files, overwriting the committed copies.
RUN python tools/gen_protos.py \
 && python -m venv /opt/batchops \
 && /opt/batchops/bin/pip install --no-cache-dir .

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="batchops" \
      org.opencontainers.image.description="Kafka-driven multitenant batch operations (SiteWhere 2.x batch-operations drop-in)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/batchops/bin:${PATH} \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BATCHOPS_GRPC_PORT=9000 \
    BATCHOPS_METRICS_PORT=9090 \
    BATCHOPS_LOG_FORMAT=json
# Numeric ids, so that Kubernetes' runAsNonRoot can verify them (the Helm chart runs as 10001 too).
RUN groupadd --system --gid 10001 batchops \
 && useradd --system --uid 10001 --gid batchops --home-dir /home/batchops --create-home \
        --shell /usr/sbin/nologin batchops
COPY --from=builder /opt/batchops /opt/batchops
USER 10001:10001
WORKDIR /home/batchops
EXPOSE 9000 9090
# Healthy only while the standard grpc.health.v1 service on the API port answers SERVING.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,grpc;from grpc_health.v1 import health_pb2 as h,health_pb2_grpc as g;ch=grpc.insecure_channel('127.0.0.1:'+(os.environ.get('BATCHOPS_GRPC_HEALTH_PORT') or os.environ.get('BATCHOPS_GRPC_PORT','9000')));r=g.HealthStub(ch).Check(h.HealthCheckRequest(service=''),timeout=4);sys.exit(0 if r.status==h.HealthCheckResponse.SERVING else 1)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["batchops"]
CMD ["serve"]
