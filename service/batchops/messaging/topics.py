"""Topic and consumer-group names, in SiteWhere 2.x's scheme:
``<productId>.<instanceId>.tenant.<tenantId>.<suffix>``."""

from __future__ import annotations

from dataclasses import dataclass

UNPROCESSED_BATCH_OPERATIONS = "unprocessed-batch-operations"
UNPROCESSED_BATCH_ELEMENTS = "unprocessed-batch-elements"
FAILED_BATCH_ELEMENTS = "failed-batch-elements"
# Ours: records that could not be decoded or validated, with the reason in a header.
DEAD_LETTERS = "batch-operations-dead-letters"
# Ours: every status change of an operation (GBatchOperationEvent, keyed by operation id).
BATCH_OPERATION_EVENTS = "batch-operation-events"

# Short labels of the two consumed topics in metrics and CLI output.
OPERATIONS_LABEL = "operations"
ELEMENTS_LABEL = "elements"

OPERATION_CONSUMERS = "unprocessed-batch-operation-consumers"
ELEMENT_CONSUMERS = "unprocessed-batch-element-consumers"


@dataclass(frozen=True)
class TenantTopics:
    product_id: str
    instance_id: str
    tenant_id: str

    @property
    def prefix(self) -> str:
        return f"{self.product_id}.{self.instance_id}.tenant.{self.tenant_id}."

    @property
    def operations(self) -> str:
        return self.prefix + UNPROCESSED_BATCH_OPERATIONS

    @property
    def elements(self) -> str:
        return self.prefix + UNPROCESSED_BATCH_ELEMENTS

    @property
    def failed_elements(self) -> str:
        return self.prefix + FAILED_BATCH_ELEMENTS

    @property
    def dead_letters(self) -> str:
        return self.prefix + DEAD_LETTERS

    @property
    def batch_operation_events(self) -> str:
        return self.prefix + BATCH_OPERATION_EVENTS

    @property
    def all(self) -> tuple[str, ...]:
        return (
            self.operations,
            self.elements,
            self.failed_elements,
            self.dead_letters,
            self.batch_operation_events,
        )

    @property
    def operation_group(self) -> str:
        return self.prefix + OPERATION_CONSUMERS

    @property
    def element_group(self) -> str:
        return self.prefix + ELEMENT_CONSUMERS
