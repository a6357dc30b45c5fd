from __future__ import annotations

import uuid

import pytest
from pydantic import ValidationError

from batchops.clients import ClientSettings, default_address
from batchops.clients.models import optional_uuid
from batchops.protocol.convert import uuid_to_wire
from batchops.wire import sitewhere_common_pb2 as common


def test_default_address_follows_sitewhere_21_naming() -> None:
    assert (
        default_address("device-management", "sitewhere1")
        == "sitewhere1-sitewhere-device-management-svc:9000"
    )
    assert default_address("event-management", "sitewhere") == "sitewhere-event-management-svc:9000"
    assert (
        default_address("event-management", "sw", "iot")
        == "sw-sitewhere-event-management-svc.iot.svc.cluster.local:9000"
    )


def test_for_instance_derives_addresses_and_keeps_overrides() -> None:
    settings = ClientSettings(deadline_seconds=2.5, event_management_address="").with_default_addresses(
        "prod"
    )
    assert settings.device_management_address == "prod-sitewhere-device-management-svc:9000"
    assert settings.event_management_address == "prod-sitewhere-event-management-svc:9000"
    assert settings.deadline_seconds == 2.5
    explicit = ClientSettings(device_management_address="dm:1").with_default_addresses("prod", "iot")
    assert explicit.device_management_address == "dm:1"
    assert (
        explicit.event_management_address == "prod-sitewhere-event-management-svc.iot.svc.cluster.local:9000"
    )


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValidationError):
        ClientSettings(device_management_address="a:1", event_management_address="b:1", max_attempts=0)
    with pytest.raises(ValidationError):
        ClientSettings(
            device_management_address="a:1", event_management_address="b:1", backoff_multiplier=0.5
        )


def test_optional_uuid_reads_zero_as_unset() -> None:
    assert optional_uuid(common.GUUID()) is None
    value = uuid.uuid4()
    assert optional_uuid(uuid_to_wire(value)) == value
