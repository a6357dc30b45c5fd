from __future__ import annotations

import json

import pytest

from batchops.config.tenant import (
    TenantConfiguration,
    TenantConfigurationError,
    parse_json,
    parse_sitewhere_xml,
    render_json,
)

SITEWHERE_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:context="http://www.springframework.org/schema/context"
    xmlns:ds="http://sitewhere.io/schema/sitewhere/microservice/common/datastore"
    xmlns:bop="http://sitewhere.io/schema/sitewhere/microservice/batch-operations"
    xsi:schemaLocation="http://www.springframework.org/schema/beans
        http://www.springframework.org/schema/beans/spring-beans.xsd">

    <!-- Allow property placeholder substitution -->
    <context:property-placeholder />

    <bop:batch-operations>
        <ds:device-management-datastore>
            <ds:mongodb-datastore-reference id="tenant" />
        </ds:device-management-datastore>
        <!-- Batch operation manager configuration -->
        <bop:batch-operation-manager
            throttleDelayMs="100" />
    </bop:batch-operations>
</beans>
"""


def test_defaults() -> None:
    config = TenantConfiguration()
    assert config.throttle_delay_ms == 0
    assert config.rate_limit_per_second == 0
    assert (config.topic_partitions, config.topic_replication) == (8, 1)
    assert (config.processing_concurrency, config.consumer_batch_size) == (32, 500)
    assert (config.lease_seconds, config.max_attempts) == (60, 3)
    assert config.handler_options == {}


def test_json_camel_case() -> None:
    config = parse_json(
        json.dumps(
            {
                "throttleDelayMs": 100,
                "rateLimitPerSecond": 12.5,
                "topicPartitions": 3,
                "topicReplication": 2,
                "processingConcurrency": 4,
                "consumerBatchSize": 50,
                "leaseSeconds": 30,
                "maxAttempts": 5,
                "handlerOptions": {"BatchCommandInvocation": {"target_all_assignments": True}},
            }
        ).encode()
    )
    assert config.throttle_delay_ms == 100
    assert config.rate_limit_per_second == 12.5
    assert (config.topic_partitions, config.topic_replication) == (3, 2)
    assert (config.processing_concurrency, config.consumer_batch_size) == (4, 50)
    assert (config.lease_seconds, config.max_attempts) == (30, 5)
    assert config.handler_options == {"BatchCommandInvocation": {"target_all_assignments": True}}


def test_json_snake_case_and_partial() -> None:
    config = parse_json(b'{"throttle_delay_ms": 7, "rate_limit_per_second": 3}')
    assert config == TenantConfiguration(throttle_delay_ms=7, rate_limit_per_second=3.0)


def test_empty_object_is_all_defaults() -> None:
    assert parse_json(b"{}") == TenantConfiguration()


def test_render_round_trips_with_camel_case_keys() -> None:
    config = TenantConfiguration(throttle_delay_ms=5, handler_options={"X": {"a": [1, 2]}})
    rendered = render_json(config)
    assert json.loads(rendered)["throttleDelayMs"] == 5
    assert parse_json(rendered) == config


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (b'{"throttleDelayMs": -1}', "throttleDelayMs"),
        (b'{"throttleDelayMs": 60001}', "throttleDelayMs"),
        (b'{"throttleDelayMs": "100"}', "throttleDelayMs"),
        (b'{"throttleDelayMs": true}', "throttleDelayMs"),
        (b'{"topicPartitions": 0}', "topicPartitions"),
        (b'{"topicPartitions": 2.5}', "topicPartitions"),
        (b'{"topic_replication": 0}', "topicReplication"),
        (b'{"processingConcurrency": 0}', "processingConcurrency"),
        (b'{"consumerBatchSize": 0}', "consumerBatchSize"),
        (b'{"leaseSeconds": 0}', "leaseSeconds"),
        (b'{"maxAttempts": 0}', "maxAttempts"),
        (b'{"rateLimitPerSecond": -0.5}', "rateLimitPerSecond"),
        (b'{"rateLimitPerSecond": NaN}', "rateLimitPerSecond"),
        (b'{"handlerOptions": {"BatchCommandInvocation": 1}}', "handlerOptions"),
        (b'{"handlerOptions": {"bad type!": {}}}', "handlerOptions"),
        (b'{"unknownKey": 1}', "unknownKey"),
        (b'{"maxAttempts": 1, "max_attempts": 2}', "maxAttempts"),
    ],
)
def test_invalid_json_values_name_the_field(document: bytes, field: str) -> None:
    with pytest.raises(TenantConfigurationError, match=field):
        parse_json(document)


@pytest.mark.parametrize("document", [b"", b"not json", b"[1, 2]", b"null", b"\xff\xfe", b"[" * 100_000])
def test_json_that_is_not_an_object_is_refused(document: bytes) -> None:
    with pytest.raises(TenantConfigurationError):
        parse_json(document)


def test_configuration_is_frozen() -> None:
    config = TenantConfiguration()
    with pytest.raises(ValueError):
        config.throttle_delay_ms = 5


def test_sitewhere_xml_throttle_delay() -> None:
    assert parse_sitewhere_xml(SITEWHERE_XML) == TenantConfiguration(throttle_delay_ms=100)


def test_sitewhere_xml_any_namespace_prefix() -> None:
    document = b'<beans xmlns:x="urn:other"><x:batch-operation-manager throttleDelayMs=" 25 "/></beans>'
    assert parse_sitewhere_xml(document).throttle_delay_ms == 25


def test_sitewhere_xml_without_manager_or_attribute_is_default() -> None:
    assert parse_sitewhere_xml(b"<beans/>") == TenantConfiguration()
    assert parse_sitewhere_xml(b"<beans><batch-operation-manager/></beans>") == TenantConfiguration()


def test_sitewhere_xml_placeholder_default_is_used() -> None:
    document = b'<beans><batch-operation-manager throttleDelayMs="${batch.throttle:40}"/></beans>'
    assert parse_sitewhere_xml(document).throttle_delay_ms == 40


@pytest.mark.parametrize(
    "document",
    [
        b'<beans><batch-operation-manager throttleDelayMs="fast"/></beans>',
        b'<beans><batch-operation-manager throttleDelayMs="-5"/></beans>',
        b'<beans><batch-operation-manager throttleDelayMs="${no.default}"/></beans>',
        b"<beans><batch-operation-manager/><batch-operation-manager/></beans>",
        b"<beans>",
        b"<bop:beans/>",  # unbound prefix
        b"",
    ],
)
def test_invalid_sitewhere_xml(document: bytes) -> None:
    with pytest.raises(TenantConfigurationError) as caught:
        parse_sitewhere_xml(document)
    assert "SiteWhere configuration XML" in str(caught.value) or "throttleDelayMs" in str(caught.value)


def test_invalid_xml_attribute_names_the_field() -> None:
    with pytest.raises(TenantConfigurationError, match="throttleDelayMs"):
        parse_sitewhere_xml(b'<beans><batch-operation-manager throttleDelayMs="x"/></beans>')


@pytest.mark.parametrize(
    "document",
    [
        b'<?xml version="1.0"?><!DOCTYPE beans><beans/>',
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><beans>&lol2;</beans>',
        b'<!DOCTYPE beans [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<beans><batch-operation-manager throttleDelayMs="&xxe;"/></beans>',
        b'<!DOCTYPE beans SYSTEM "http://example.invalid/beans.dtd"><beans/>',
    ],
)
def test_doctype_and_entities_are_refused(document: bytes) -> None:
    with pytest.raises(TenantConfigurationError, match="DOCTYPE"):
        parse_sitewhere_xml(document)


def test_oversized_xml_is_refused() -> None:
    with pytest.raises(TenantConfigurationError, match="too large"):
        parse_sitewhere_xml(b"<beans>" + b" " * (1024 * 1024) + b"</beans>")
