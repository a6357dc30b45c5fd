"""One tenant's engine: its topics, producer, the two consumers, recovery, and the API's view
of the tenant (creation persists, then fans out through Kafka)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from batchops import metrics
from batchops.config import InstanceSettings, KafkaSettings, LimitsSettings, RecoverySettings
from batchops.config.tenant import TenantConfiguration
from batchops.domain import BatchOperation, OperationCreate
from batchops.engine.circuit import TenantCircuits
from batchops.engine.consumer_loop import ConsumerLoop
from batchops.engine.control import OperationControls
from batchops.engine.control_view import ControlView
from batchops.engine.dead_letters import DeadLetters
from batchops.engine.event_relay import EventRelay, relay_producer
from batchops.engine.external import ExternalOperations
from batchops.engine.handlers import HandlerRegistry, HandlerServices
from batchops.engine.heartbeat import Heartbeat
from batchops.engine.initializer import Initializer, InitializerGates, InitializerOutputs
from batchops.engine.outages import OutageHandling
from batchops.engine.pacing import Pacer
from batchops.engine.processor import (
    ElementOutputs,
    FinishedCallback,
    HandlerAccess,
    ProcessingPolicy,
    Processor,
)
from batchops.engine.publisher import WorkPublisher
from batchops.engine.recovery import Recovery, Sweeper
from batchops.engine.stopping import FLUSH_BY, JOIN_AFTER, LOOP_GIVE_UP_AFTER, StopDeadline, remaining
from batchops.logs import log_context
from batchops.messaging.kafka import (
    ConfirmedProducer,
    KafkaConfig,
    PublishError,
    ensure_topics,
    make_consumer,
)
from batchops.messaging.lag import LagGauge, tenant_lag_targets
from batchops.messaging.topics import ELEMENTS_LABEL, OPERATIONS_LABEL, TenantTopics
from batchops.store import BatchStore, MongoConnector
from batchops.store.event_outbox import EventOutbox
from batchops.store.work_store import WorkStore

log = logging.getLogger(__name__)


def _no_token(_tenant_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class OutgoingCalls:
    """What handlers use to call other services while processing."""

    services: HandlerServices | None = None
    # tenant id -> token for outgoing calls made while processing (None: send none).
    system_token: Callable[[str], str | None] = _no_token


@dataclass(frozen=True)
class EngineEnvironment:
    """What every tenant engine of a process shares: connections, handlers, and the settings
    groups the engines follow (given as they are)."""

    kafka: KafkaConfig
    connector: MongoConnector
    registry: HandlerRegistry
    instance: InstanceSettings
    # Process-wide topic defaults; a tenant configuration that names its own wins.
    topic_defaults: KafkaSettings = field(default_factory=KafkaSettings)
    # Chunk sizes, and the token limit that bounds chunk counts at the Kafka entry point.
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    recovery: RecoverySettings = field(default_factory=RecoverySettings)
    outgoing: OutgoingCalls = field(default_factory=OutgoingCalls)

    def topic_layout(self, config: TenantConfiguration) -> tuple[int, int]:
        explicit = config.model_fields_set
        return (
            config.topic_partitions
            if "topic_partitions" in explicit
            else self.topic_defaults.topic_partitions,
            config.topic_replication
            if "topic_replication" in explicit
            else self.topic_defaults.topic_replication,
        )


def processing_policy(config: TenantConfiguration) -> ProcessingPolicy:
    return ProcessingPolicy(
        concurrency=config.processing_concurrency,
        lease=timedelta(seconds=config.lease_seconds),
        max_attempts=config.max_attempts,
        handler_options=config.handler_options,
    )


class TenantEngine:
    def __init__(
        self,
        tenant_id: str,
        config: TenantConfiguration,
        env: EngineEnvironment,
        *,
        on_finished: FinishedCallback | None = None,
        stop_deadline: StopDeadline | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.config = config
        self._env = env
        self.topics = TenantTopics(env.instance.product_id, env.instance.instance_id, tenant_id)
        self._client_id = f"{env.instance.instance_name}-{tenant_id}"
        database = env.connector.tenant_database(tenant_id)
        self._store = BatchStore(database, target_chunk_size=env.limits.target_chunk_size)
        self.work = WorkStore(database, in_filter_ids=env.connector.in_filter_ids)
        # What this instance knows of paused and canceled operations (see ``ControlView``).
        self.control_view = ControlView(self.work.operations.statuses)
        self.controls = OperationControls(
            self.work,
            self.work.control,
            self.control_view,
            lambda: self.publisher,
            tenant_id,
            changed=lambda: self.poke(),
        )
        self._producer: ConfirmedProducer | None = None
        self._on_finished = on_finished
        self._loops: list[ConsumerLoop] = []
        self._processor: Processor | None = None
        self._sweeper: Sweeper | None = None
        self.initializer: Initializer | None = None
        self.publisher: WorkPublisher | None = None
        self.dead_letters: DeadLetters | None = None
        self.recovery: Recovery | None = None
        self._unregister_metrics: Callable[[], None] | None = None
        self.lag: LagGauge | None = None
        self.events: EventRelay | None = None
        self._events_producer: ConfirmedProducer | None = None
        self._stopping = threading.Event()
        # The process's shutdown deadline (shared by every engine), or a grace of this engine's own.
        self._stop_deadline = stop_deadline or StopDeadline()
        self._stop_by: float | None = None
        self._stop_lock = threading.Lock()
        # Per dependency its handlers found unavailable (open: no handler call starts).
        self.circuits = TenantCircuits()

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        with log_context(tenant=self.tenant_id):
            self._ensure_own_topics()
            producer = ConfirmedProducer(self._env.kafka, self._client_id)
            self._producer = producer
            self.publisher = WorkPublisher(producer, self.topics, self.work)
            self.dead_letters = DeadLetters(producer, self.topics.dead_letters)
            initializer_beat, processor_beat = Heartbeat(self.work), Heartbeat(self.work)
            self.initializer = self._make_initializer(self.publisher, self.dead_letters, initializer_beat)
            self._processor = self._make_processor(producer, self.dead_letters, processor_beat)
            # Read by the metrics and by the loops' stall watches.
            self.lag = LagGauge(self._env.kafka, tenant_lag_targets(self.topics))
            self._loops = self._make_loops(self.initializer, self._processor, self.lag)
            for loop in self._loops:
                loop.start()
            self._start_recovery(self.publisher, initializer_beat, processor_beat, self._processor)
            self._start_events()
            self._register_metrics()
            log.info("tenant engine started", extra={"topics_prefix": self.topics.prefix})

    def _ensure_own_topics(self) -> None:
        partitions, replication = self._env.topic_layout(self.config)
        if ensure_topics(self._env.kafka, self.topics.all, partitions, replication):
            # Our topics had vanished (a broker that lost its data): members that joined
            # meanwhile hold nothing; fresh ones are assigned the new partitions.
            for loop in self._loops:
                loop.resubscribe()

    def _make_initializer(
        self, publisher: WorkPublisher, dead_letters: DeadLetters, heartbeat: Heartbeat
    ) -> Initializer:
        # Pacing happens once, at fan-out: element records enter the topic at the tenant's
        # rate, so processing follows it without holding claimed elements past their lease.
        pacer = Pacer(self.config.throttle_delay_ms, self.config.rate_limit_per_second)
        return Initializer(
            self.work,
            InitializerOutputs(publisher, dead_letters),
            ExternalOperations(self._store, self.work, self._env.registry),
            pacer,
            heartbeat,
            self.tenant_id,
            gates=InitializerGates(
                stopping=self._stopping.is_set,
                # Read fresh: fan-out must not add elements to an operation canceled a moment ago.
                runnable=self._runs_now,
            ),
            max_chunk_count=self._env.limits.max_device_tokens,
        )

    def _make_processor(
        self, producer: ConfirmedProducer, dead_letters: DeadLetters, heartbeat: Heartbeat
    ) -> Processor:
        outgoing = self._env.outgoing
        return Processor(
            self.tenant_id,
            self.work,
            ElementOutputs(
                producer,
                self.topics.failed_elements,
                dead_letters,
                republish=self._publisher_now().republish_elements,
            ),
            processing_policy(self.config),
            HandlerAccess(
                self._env.registry,
                outgoing.services,
                lambda: outgoing.system_token(self.tenant_id),
                OutageHandling(self.circuits, stopping=self._stopping.is_set),
            ),
            heartbeat,
            on_finished=self._operation_finished,
            control=self.control_view,
        )

    def _runs_now(self, operation_id: uuid.UUID) -> bool:
        status = self.control_view.statuses({operation_id}, fresh=True).get(operation_id)
        return status is not None and status.runs

    def _publisher_now(self) -> WorkPublisher:
        if self.publisher is None:
            raise RuntimeError("the tenant engine's publisher is made first")
        return self.publisher

    def _make_loops(
        self, initializer: Initializer, processor: Processor, lag: LagGauge
    ) -> list[ConsumerLoop]:
        kafka, topics, client_id = self._env.kafka, self.topics, self._client_id
        return [
            ConsumerLoop(
                "initializer",
                partial(make_consumer, kafka, topics.operation_group, client_id + "-ops"),
                topics.operations,
                initializer.handle_batch,
                # One chunk record (up to thousands of tokens) at a time keeps memory flat.
                batch_size=1,
                tenant_id=self.tenant_id,
                backlog=partial(lag.waiting, OPERATIONS_LABEL),
            ),
            ConsumerLoop(
                "processor",
                partial(make_consumer, kafka, topics.element_group, client_id + "-elements"),
                topics.elements,
                processor.handle_batch,
                batch_size=self.config.consumer_batch_size,
                tenant_id=self.tenant_id,
                backlog=partial(lag.waiting, ELEMENTS_LABEL),
            ),
        ]

    def _start_recovery(
        self,
        publisher: WorkPublisher,
        initializer_beat: Heartbeat,
        processor_beat: Heartbeat,
        processor: Processor,
    ) -> None:
        timing = self._env.recovery
        self.recovery = Recovery(
            self.work,
            publisher,
            stale_after=timedelta(seconds=timing.stale_seconds),
            initializer=initializer_beat,
            processor=processor_beat,
            held_claims=processor.held_claims,
            initialization_timeout=timedelta(seconds=timing.initialization_timeout_seconds),
            # A broker that lost its log directories comes back without our topics.
            ensure_topics=self._ensure_own_topics,
        )
        self._sweeper = Sweeper(self.recovery, timing.interval_seconds, self.tenant_id)
        self._sweeper.start()

    def _start_events(self) -> None:
        self._events_producer = relay_producer(self._env.kafka, self._client_id + "-events")
        outbox = EventOutbox(self.work.collections.operations)
        topic = self.topics.batch_operation_events
        self.events = EventRelay(outbox, self._events_producer, topic, self.tenant_id)
        self.events.start()

    def _register_metrics(self) -> None:
        unregister_counts = metrics.add_operation_counts_source(
            lambda: {self.tenant_id: self.work.operations.operation_counts()}
        )
        lag = self.lag
        assert lag is not None  # made before the loops
        unregister_lag = metrics.add_consumer_lag_source(lambda: {self.tenant_id: lag.read()})

        def unregister() -> None:
            unregister_counts()
            unregister_lag()

        self._unregister_metrics = unregister

    def _operation_finished(self, operation: BatchOperation) -> None:
        self.poke()
        if self._on_finished is not None:
            self._on_finished(operation)

    def poke(self) -> None:
        """An operation's status changed here: publish its event now, not at the relay's next tick."""
        if self.events is not None:
            self.events.poke()

    @property
    def consumers(self) -> dict[str, str]:
        """Each consumer loop's state (running, restarting after a crash, stopped)."""
        return {loop.name: loop.state.value for loop in self._loops}

    @property
    def healthy(self) -> bool:
        """True while both consumers are subscribed and polling: records are being worked on."""
        return bool(self._loops) and all(loop.running for loop in self._loops)

    def wait_ready(self, timeout: float) -> bool:
        """True once both consumers have joined their groups and hold partitions."""
        return all(loop.wait_assigned(timeout) for loop in self._loops)

    def request_stop(self) -> float:
        """Take no more work, without waiting: the consumers take no more records, the processor
        starts no more handler calls (running ones may finish until the stop deadline) and the
        initializer gives up at its next step. Returns the deadline (``time.monotonic``)."""
        with self._stop_lock:
            if self._stop_by is None:
                self._stop_by = self._stop_deadline.for_engine()
                self._stopping.set()  # long initializer work gives up at its next step (uncommitted)
                if self._processor is not None:
                    self._processor.stop_by(self._stop_by)
                for loop in self._loops:
                    loop.request_stop(self._stop_by + LOOP_GIVE_UP_AFTER)
            return self._stop_by

    def stop(self) -> None:
        """Stop within the deadline plus a few seconds (see ``engine.stopping``): running handlers
        get until the deadline, the outcomes they returned are stored and the claims left handed
        back; offsets are committed only for batches done; the consumers leave their groups and
        the producer is flushed. Handler calls still blocked are not waited for."""
        deadline = self.request_stop()
        with log_context(tenant=self.tenant_id):
            if self._unregister_metrics is not None:
                self._unregister_metrics()
                metrics.forget_tenant(self.tenant_id)
            if self._sweeper is not None:
                self._sweeper.stop(remaining(deadline + JOIN_AFTER))
            for loop in self._loops:
                loop.stop(remaining(deadline + JOIN_AFTER))
            self.controls.close()
            if self._processor is not None:
                self._processor.close()
            if self.events is not None and self._events_producer is not None:
                self.events.stop()
                self._events_producer.close(1.0)
            if self._producer is not None:
                self._producer.close(remaining(deadline + FLUSH_BY, floor=0.5))
            log.info("tenant engine stopped")

    @property
    def consumed_elements(self) -> int:
        """Element records this engine's processor has handled (for tests and metrics)."""
        return self._processor.records_seen if self._processor is not None else 0

    # ---- the API's view of this tenant ------------------------------------------------------

    @property
    def store(self) -> BatchStore:
        return self._store

    def check_operation_type(self, operation_type: str) -> None:
        self._env.registry.require(operation_type)

    def create_operation(self, create: OperationCreate, device_tokens: Iterable[str]) -> BatchOperation:
        self._env.registry.validate(create)
        operation = self._store.create_operation(create, device_tokens)
        self.poke()
        if self.publisher is None:
            return operation
        try:
            self.publisher.publish_operation(operation)
            self.work.operations.mark_published(operation.id)
        except PublishError as exc:
            # Persisted but not yet published: recovery re-publishes it once Kafka answers.
            log.warning("publishing a new operation failed; recovery will retry: %s", exc)
            self.work.operations.record_error(operation.id, f"publish pending: {exc}")
        return operation
