"""helm/batchops: Helm lints it, renders it, and every manifest is a valid Kubernetes object.

Rendering is real Helm (PyPI ``helm-python-sdk`` embeds Helm's Go library: no ``helm`` binary, no cluster);
manifests are checked against the Kubernetes JSON schemas bundled in PyPI ``kubernetes-validate``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

helm = pytest.importorskip("helm_python", reason="needs the dev extra (helm-python-sdk)")
kubernetes_validate = pytest.importorskip(
    "kubernetes_validate", reason="needs the dev extra (kubernetes-validate)"
)

REPO_ROOT = Path(__file__).resolve().parents[3]
CHART_DIR = REPO_ROOT / "helm" / "batchops"
RELEASE = "demo"
NAMESPACE = "iot"
# Oldest with GA gRPC probes, and the newest kubernetes-validate bundles at the pinned version.
KUBE_VERSIONS = ("1.29.0", "1.37.0")
LOAD_BALANCER = "batch_operations.service.type=LoadBalancer"
# The settings batchops reads (BATCHOPS_ prefix); the chart must not invent others.
KNOWN_SETTINGS = {
    "BATCHOPS_KAFKA_BOOTSTRAP_SERVERS",
    "BATCHOPS_KAFKA_OVERRIDES",
    "BATCHOPS_KAFKA_TOPIC_PARTITIONS",
    "BATCHOPS_KAFKA_TOPIC_REPLICATION",
    "BATCHOPS_MONGODB_URI",
    "BATCHOPS_MONGODB_TENANT_PREFIX",
    "BATCHOPS_MONGODB_IN_FILTER_IDS",
    "BATCHOPS_ZOOKEEPER_HOSTS",
    "BATCHOPS_PRODUCT_ID",
    "BATCHOPS_INSTANCE_ID",
    "BATCHOPS_GRPC_PORT",
    "BATCHOPS_METRICS_PORT",
    "BATCHOPS_SHUTDOWN_GRACE_SECONDS",
    "BATCHOPS_LOG_LEVEL",
    "BATCHOPS_LOG_FORMAT",
    "BATCHOPS_AUTH_ENABLED",
    "BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE",
    "BATCHOPS_GRPC_TLS_CERT_FILE",
    "BATCHOPS_GRPC_TLS_KEY_FILE",
    "BATCHOPS_GRPC_TLS_CLIENT_CA_FILE",
    "BATCHOPS_GRPC_HEALTH_PORT",
    "BATCHOPS_AUTH_JWT_SECRET",
    "BATCHOPS_AUTH_JWT_PUBLIC_KEY",
    "BATCHOPS_DEVICE_MANAGEMENT_ADDRESS",
    "BATCHOPS_EVENT_MANAGEMENT_ADDRESS",
}
SCENARIOS: dict[str, str | None] = {
    "defaults": None,
    "load-balancer": LOAD_BALANCER,
    "auth-hs256": "auth.enabled=true,auth.jwtSecret=not-a-real-secret",
    "exposed-tuned": (
        "batch_operations.service.type=NodePort,batch_operations.service.grpcNodePort=30900,"
        "batch_operations.replicaCount=3,batch_operations.podDisruptionBudget.minAvailable=2,"
        "batch_operations.service.externalTrafficPolicy=Local"
    ),
    "sitewhere-names": (
        "batch_operations.service.nameOverride=sitewhere-batch-operations-svc,"
        "batch_operations.service.headless=true,sitewhere.instanceId=sitewhere"
    ),
    "existing-secret": "auth.enabled=true,auth.existingSecret=batchops-credentials",
    "service-monitor": "metrics.serviceMonitor.enabled=true",
    "tls": "tls.enabled=true,tls.secretName=batchops-tls,tls.requireClientCert=true",
}

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def chart() -> Iterator[Any]:
    loaded = helm.Chart.load(CHART_DIR)
    try:
        yield loaded
    finally:
        loaded.close()


def _values(set_expression: str | None) -> dict[str, Any] | None:
    """Values exactly as ``helm ... --set <expression>`` would pass them."""
    if set_expression is None:
        return None
    values: dict[str, Any] = helm.parse_set_string(set_expression)
    return values


def _render(chart: Any, set_expression: str | None = None) -> dict[str, str]:
    rendered: dict[str, str] = chart.render(
        _values(set_expression), name=RELEASE, namespace=NAMESPACE, is_install=True
    )
    return rendered


def _manifests(chart: Any, set_expression: str | None = None) -> list[Manifest]:
    docs: list[Manifest] = []
    for path, text in sorted(_render(chart, set_expression).items()):
        if not path.endswith((".yaml", ".yml")):
            continue
        for doc in yaml.safe_load_all(text):
            if doc is not None:
                assert isinstance(doc, dict), path
                docs.append(doc)
    return docs


def _one(docs: list[Manifest], kind: str) -> Manifest:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _container(docs: list[Manifest]) -> Manifest:
    containers: list[Manifest] = _one(docs, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


@pytest.mark.parametrize("set_expression", [None, LOAD_BALANCER], ids=["defaults", "load-balancer"])
def test_helm_lint_is_clean(set_expression: str | None) -> None:
    report = helm.lint(CHART_DIR, _values(set_expression), strict=True, kube_version="v1.29.0")
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    # severity: 1 info, 2 warning, 3 error ("icon is recommended" is the only info today)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert problems == []


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_manifest_is_a_valid_kubernetes_object(chart: Any, scenario: str, kube_version: str) -> None:
    docs = _manifests(chart, SCENARIOS[scenario])
    assert docs
    for doc in docs:
        if doc["apiVersion"].startswith("monitoring.coreos.com/"):
            continue  # a CRD kind: no schema bundled; checked in test_service_monitor_is_opt_in
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        try:
            kubernetes_validate.validate(doc, kube_version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{scenario}: {name} is invalid for Kubernetes {kube_version}: {exc.message}")
        assert doc["metadata"]["namespace"] == NAMESPACE, name
        assert doc["metadata"]["labels"]["app.kubernetes.io/instance"] == RELEASE, name


def test_schema_validation_catches_mistakes(chart: Any) -> None:
    """Guards against validation that accepts anything: strict schemas reject typos and wrong types."""
    deployment = _one(_manifests(chart), "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["grpc"]["port"] = "grpc-api"  # gRPC probes take a number, not a name
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBE_VERSIONS[0], strict=True)
    service = _one(_manifests(chart), "Service")
    service["spec"]["typ"] = "LoadBalancer"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(service, KUBE_VERSIONS[0], strict=True)


def test_rendering_is_deterministic(chart: Any) -> None:
    assert _render(chart, LOAD_BALANCER) == _render(chart, LOAD_BALANCER)


def test_default_resources(chart: Any) -> None:
    docs = _manifests(chart)
    assert sorted(d["kind"] for d in docs) == [
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "Secret",
        "Service",
    ]


def test_service_ports_and_default_type(chart: Any) -> None:
    service = _one(_manifests(chart), "Service")
    assert service["spec"]["type"] == "ClusterIP"
    ports = {p["name"]: p for p in service["spec"]["ports"]}
    assert set(ports) == {"grpc-api", "http-metrics"}
    assert ports["grpc-api"]["port"] == 9000 and ports["http-metrics"]["port"] == 9090
    container_ports = {p["name"]: p["containerPort"] for p in _container(_manifests(chart))["ports"]}
    assert container_ports == {"grpc-api": 9000, "http-metrics": 9090}
    assert {p["targetPort"] for p in ports.values()} <= set(container_ports)


def test_set_service_type_load_balancer_like_sitewhere(chart: Any) -> None:
    docs = _manifests(chart, LOAD_BALANCER)
    service = _one(docs, "Service")
    assert service["spec"]["type"] == "LoadBalancer"
    assert {p["name"] for p in service["spec"]["ports"]} == {"grpc-api", "http-metrics"}
    notes = _render(chart, LOAD_BALANCER)["batchops/templates/NOTES.txt"]
    assert "loadBalancer.ingress" in notes


def test_service_selects_the_deployment_pods(chart: Any) -> None:
    docs = _manifests(chart)
    selector = _one(docs, "Service")["spec"]["selector"]
    deployment = _one(docs, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert selector.items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"] == selector
    assert _one(docs, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == selector
    assert pod_labels["sitewhere.io/name"] == "batch-operations"


def test_probes_use_native_grpc_health_on_the_api_port(chart: Any) -> None:
    container = _container(_manifests(chart))
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == 9000, probe
        assert "httpGet" not in container[probe] and "exec" not in container[probe]
    assert (
        container["livenessProbe"]["initialDelaySeconds"]
        >= container["readinessProbe"]["initialDelaySeconds"]
    )


def test_pod_runs_non_root_and_drains_on_sigterm(chart: Any) -> None:
    docs = _manifests(chart)
    pod = _one(docs, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001, "the image's USER"
    assert pod["terminationGracePeriodSeconds"] >= 15
    assert pod["automountServiceAccountToken"] is False
    container = _container(docs)
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
    assert container["args"] == ["serve"]
    assert container["image"] == f"batchops:{chart.metadata['appVersion']}"
    assert set(container["resources"]) == {"requests", "limits"}


def test_environment_comes_from_the_config_map_then_the_secret(chart: Any) -> None:
    docs = _manifests(chart)
    sources = _container(docs)["envFrom"]
    assert [next(iter(s)) for s in sources] == ["configMapRef", "secretRef"], "the Secret must win"
    assert sources[0]["configMapRef"]["name"] == _one(docs, "ConfigMap")["metadata"]["name"]
    assert sources[1]["secretRef"]["name"] == _one(docs, "Secret")["metadata"]["name"]
    data = _one(docs, "ConfigMap")["data"]
    assert set(data) <= KNOWN_SETTINGS
    assert data["BATCHOPS_GRPC_PORT"] == "9000" and data["BATCHOPS_METRICS_PORT"] == "9090"
    assert data["BATCHOPS_PRODUCT_ID"] == "sitewhere" and data["BATCHOPS_INSTANCE_ID"] == "sitewhere1"
    assert data["BATCHOPS_AUTH_ENABLED"] == "false"
    assert data["BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE"] == "true"  # auth.allowUnauthenticated
    assert not any("JWT" in key for key in data), "key material only in the Secret"


def test_jwt_secret_lives_in_the_secret(chart: Any) -> None:
    docs = _manifests(chart, SCENARIOS["auth-hs256"])
    secret = _one(docs, "Secret")
    assert base64.b64decode(secret["data"]["BATCHOPS_AUTH_JWT_SECRET"]) == b"not-a-real-secret"
    assert set(secret["data"]) <= KNOWN_SETTINGS
    assert _one(docs, "ConfigMap")["data"]["BATCHOPS_AUTH_ENABLED"] == "true"
    assert _one(docs, "ConfigMap")["data"]["BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE"] == "false"
    assert _container(docs)["envFrom"][1]["secretRef"]["name"] == secret["metadata"]["name"]


def test_rs256_public_key_lives_in_the_secret(chart: Any) -> None:
    pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
    docs = _manifests_with(chart, {"auth": {"enabled": True, "jwtPublicKey": pem}})
    secret = _one(docs, "Secret")
    assert base64.b64decode(secret["data"]["BATCHOPS_AUTH_JWT_PUBLIC_KEY"]).decode() == pem
    assert "BATCHOPS_AUTH_JWT_SECRET" not in secret["data"]


def test_config_and_secret_changes_roll_the_pods(chart: Any) -> None:
    def annotations(expression: str | None) -> dict[str, str]:
        meta = _one(_manifests(chart, expression), "Deployment")["spec"]["template"]["metadata"]
        found: dict[str, str] = meta["annotations"]
        return found

    base = annotations(None)
    assert annotations("auth.enabled=true,auth.jwtSecret=x")["checksum/secret"] != base["checksum/secret"]
    assert annotations("kafka.bootstrapServers=k:9092")["checksum/config"] != base["checksum/config"]


def test_existing_secret_replaces_the_charts_secret(chart: Any) -> None:
    docs = _manifests(chart, SCENARIOS["existing-secret"])
    assert not [d for d in docs if d["kind"] == "Secret"]
    assert _container(docs)["envFrom"][1]["secretRef"]["name"] == "batchops-credentials"


def test_auth_without_key_material_is_refused(chart: Any) -> None:
    with pytest.raises(helm.HelmRenderError, match=r"auth\.jwtSecret"):
        _render(chart, "auth.enabled=true")


def test_values_schema_rejects_an_unknown_service_type(chart: Any) -> None:
    with pytest.raises(helm.HelmValuesError, match="service/type"):
        _render(chart, "batch_operations.service.type=Ingress")


def test_endpoints_and_identity_are_configurable(chart: Any) -> None:
    docs = _manifests(
        chart,
        "kafka.bootstrapServers=sw-kafka:9092,zookeeper.hosts=sw-zk:2181,mongodb.uri=mongodb://sw-mongo:27017/,"
        "sitewhere.productId=acme,sitewhere.instanceId=prod1,kafka.topicReplication=3",
    )
    data = _one(docs, "ConfigMap")["data"]
    assert data["BATCHOPS_KAFKA_BOOTSTRAP_SERVERS"] == "sw-kafka:9092"
    assert data["BATCHOPS_ZOOKEEPER_HOSTS"] == "sw-zk:2181"
    assert data["BATCHOPS_MONGODB_URI"] == "mongodb://sw-mongo:27017/"
    assert data["BATCHOPS_PRODUCT_ID"] == "acme" and data["BATCHOPS_INSTANCE_ID"] == "prod1"
    assert data["BATCHOPS_KAFKA_TOPIC_REPLICATION"] == "3"
    docs = _manifests_with(chart, {"kafka": {"overrides": {"security.protocol": "SASL_SSL"}}})
    assert _one(docs, "ConfigMap")["data"]["BATCHOPS_KAFKA_OVERRIDES"] == '{"security.protocol":"SASL_SSL"}'


def test_replicas_pdb_and_node_ports(chart: Any) -> None:
    docs = _manifests(chart, SCENARIOS["exposed-tuned"])
    assert _one(docs, "Deployment")["spec"]["replicas"] == 3
    assert _one(docs, "PodDisruptionBudget")["spec"] == {
        "minAvailable": 2,
        "selector": {"matchLabels": _selector(docs)},
    }
    service = _one(docs, "Service")["spec"]
    assert service["type"] == "NodePort" and service["externalTrafficPolicy"] == "Local"
    assert {p["name"]: p.get("nodePort") for p in service["ports"]} == {
        "grpc-api": 30900,
        "http-metrics": None,
    }


def test_default_pdb_never_blocks_a_single_replica_drain(chart: Any) -> None:
    spec = _one(_manifests(chart), "PodDisruptionBudget")["spec"]
    assert spec.get("maxUnavailable") == 1 and "minAvailable" not in spec
    assert not [
        d
        for d in _manifests(chart, "batch_operations.podDisruptionBudget.enabled=false")
        if d["kind"] == "PodDisruptionBudget"
    ]


def test_sitewhere_compatible_service_name(chart: Any) -> None:
    service = _one(_manifests(chart, SCENARIOS["sitewhere-names"]), "Service")
    assert service["metadata"]["name"] == "sitewhere-batch-operations-svc"
    assert service["spec"]["clusterIP"] == "None"


def test_service_monitor_is_opt_in(chart: Any) -> None:
    assert not [d for d in _manifests(chart) if d["kind"] == "ServiceMonitor"]
    docs = _manifests(chart, SCENARIOS["service-monitor"])
    monitor = _one(docs, "ServiceMonitor")
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    assert (
        monitor["spec"]["selector"]["matchLabels"].items()
        <= _one(docs, "Service")["metadata"]["labels"].items()
    )
    assert monitor["spec"]["endpoints"][0]["port"] == "http-metrics"
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def _manifests_with(chart: Any, values: dict[str, Any]) -> list[Manifest]:
    rendered: dict[str, str] = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return [
        doc
        for path, text in sorted(rendered.items())
        if path.endswith(".yaml")
        for doc in yaml.safe_load_all(text)
        if doc is not None
    ]


def _selector(docs: list[Manifest]) -> dict[str, str]:
    selector: dict[str, str] = _one(docs, "Service")["spec"]["selector"]
    return selector


def test_auth_off_refuses_to_start_unless_allowed(chart: Any) -> None:
    """Issue 12, item 8: auth.allowUnauthenticated=false makes an auth-less pod refuse to start."""
    docs = _manifests(chart, "auth.allowUnauthenticated=false")
    assert _one(docs, "ConfigMap")["data"]["BATCHOPS_ALLOW_UNAUTHENTICATED_REMOTE"] == "false"


def test_tls_mounts_the_secret_and_probes_the_plaintext_health_port(chart: Any) -> None:
    """Issue 12, also asked: TLS from a kubernetes.io/tls Secret; probes cannot speak TLS."""
    docs = _manifests(chart, SCENARIOS["tls"])
    data = _one(docs, "ConfigMap")["data"]
    assert data["BATCHOPS_GRPC_TLS_CERT_FILE"] == "/etc/batchops/tls/tls.crt"
    assert data["BATCHOPS_GRPC_TLS_KEY_FILE"] == "/etc/batchops/tls/tls.key"
    assert data["BATCHOPS_GRPC_TLS_CLIENT_CA_FILE"] == "/etc/batchops/tls/ca.crt"
    assert data["BATCHOPS_GRPC_HEALTH_PORT"] == "9001"
    container = _container(docs)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"]["port"] == 9001, probe
    assert {"name": "grpc-health", "containerPort": 9001, "protocol": "TCP"} in container["ports"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "tls")
    assert mount["mountPath"] == "/etc/batchops/tls" and mount["readOnly"] is True
    volumes = _one(docs, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert next(v for v in volumes if v["name"] == "tls")["secret"]["secretName"] == "batchops-tls"
    # The Service does not expose the plaintext health port.
    assert 9001 not in {p["port"] for p in _one(docs, "Service")["spec"]["ports"]}


def test_tls_off_by_default_and_needs_a_secret(chart: Any) -> None:
    data = _one(_manifests(chart), "ConfigMap")["data"]
    assert not any(key.startswith("BATCHOPS_GRPC_TLS") for key in data)
    with pytest.raises(helm.HelmRenderError, match=r"tls\.secretName"):
        _render(chart, "tls.enabled=true")


def test_termination_grace_follows_the_shutdown_grace(chart: Any) -> None:
    """Issue 14: the service exits within its shutdown grace + 5 s; the pod is killed only later."""
    for expression, grace in ((None, 20), ("batch_operations.shutdownGraceSeconds=45", 45)):
        docs = _manifests(chart, expression)
        pod = _one(docs, "Deployment")["spec"]["template"]["spec"]
        assert _one(docs, "ConfigMap")["data"]["BATCHOPS_SHUTDOWN_GRACE_SECONDS"] == str(grace)
        assert pod["terminationGracePeriodSeconds"] == grace + 10


def test_the_former_termination_grace_value_is_refused_not_ignored(chart: Any) -> None:
    with pytest.raises(helm.HelmRenderError, match="shutdownGraceSeconds"):
        _render(chart, "batch_operations.terminationGracePeriodSeconds=60")
