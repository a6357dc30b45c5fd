from __future__ import annotations

import pytest

from batchops.domain.errors import DomainError
from batchops.tenants.layout import ZkLayout
from batchops.tenants.nodes import ConfigSource, TenantNodes

TENANT = "53daebb2-8b54-4031-a4b9-29e3fc04b4be"


def test_sitewhere_paths() -> None:
    layout = ZkLayout("sitewhere1")
    assert layout.root == "/sitewhere1"
    assert layout.tenants_conf == "/sitewhere1/conf/tenants"
    assert layout.tenant_conf(TENANT) == f"/sitewhere1/conf/tenants/{TENANT}"
    assert layout.configured_marker(TENANT) == f"/sitewhere1/conf/tenants/{TENANT}/configured"
    assert layout.sitewhere_config(TENANT) == f"/sitewhere1/conf/tenants/{TENANT}/batch-operations.xml"
    assert layout.json_config(TENANT) == f"/sitewhere1/conf/tenants/{TENANT}/batch-operations.json"
    assert layout.bootstrapped_marker == "/sitewhere1/state/tenants-bootstrapped"
    assert layout.tenant_state(TENANT) == f"/sitewhere1/state/tenants/{TENANT}/batch-operations"
    assert (
        layout.tenant_bootstrapped(TENANT)
        == f"/sitewhere1/state/tenants/{TENANT}/batch-operations/bootstrapped"
    )
    assert layout.instances == "/sitewhere1/instances/batch-operations"
    assert layout.instance_presence("pod-1") == "/sitewhere1/instances/batch-operations/pod-1"


@pytest.mark.parametrize("tenant_id", ["", "../x", "a/b", "-leading", "x" * 49, "tenant.dot", "ünï"])
def test_bad_tenant_ids_never_become_paths(tenant_id: str) -> None:
    with pytest.raises(DomainError):
        ZkLayout("sitewhere1").tenant_conf(tenant_id)


@pytest.mark.parametrize("instance_id", ["", "a/b", "..", "with space"])
def test_bad_instance_ids_are_refused(instance_id: str) -> None:
    with pytest.raises(ValueError):
        ZkLayout(instance_id)


@pytest.mark.parametrize("name", ["", "a/b", "/abs", "x" * 129])
def test_bad_instance_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        ZkLayout("sitewhere1").instance_presence(name)


def test_json_node_wins_over_sitewhere_xml() -> None:
    both = TenantNodes("t1", exists=True, configured=True, json_data=b"{}", xml_data=b"<beans/>")
    assert both.source() == ConfigSource("batch-operations.json", b"{}")
    xml_only = TenantNodes("t1", exists=True, configured=True, xml_data=b"<beans/>")
    assert xml_only.source() == ConfigSource("batch-operations.xml", b"<beans/>")
    neither = TenantNodes("t1", exists=True, configured=True)
    assert neither.source().node == "defaults"
    assert neither.source().parse().throttle_delay_ms == 0
