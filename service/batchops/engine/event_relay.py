"""The operation event relay: publishes what the operation events outbox holds (each status
change, stored in the same write as the change, ``batchops.store.events``) to the tenant's
``batch-operation-events`` topic, and removes it once the broker has confirmed it.

One thread per tenant engine, every ``interval`` seconds and whenever poked. At least once: a
crash between the send and the removal sends those events again, with the same sequence numbers.
The events of one operation are taken under a short lease (``store.event_outbox``), so two
instances relaying the same tenant do not normally publish the same events, and an operation's
events are sent by one relay at a time, oldest first, all keyed by the operation id (one
partition, in order).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from batchops.engine.ports import RecordSender
from batchops.logs import log_context
from batchops.messaging.kafka import ConfirmedProducer, KafkaConfig, PublishError
from batchops.protocol.events import operation_event_to_wire
from batchops.retry import Backoff
from batchops.store.event_outbox import PendingBatch

log = logging.getLogger(__name__)

# Operations whose events one round takes (at most 100 events each).
OPERATIONS_PER_ROUND = 100
# An idle relay's interval doubles this many times at most (0.5 s -> 4 s by default).
IDLE_DOUBLINGS = 3
DEFAULT_INTERVAL = 0.5
# How long the broker has to confirm an event record (the relay's producer gives up on a record
# then); well below the outbox lease (30 s), so a send has ended before another relay may take over.
RECORD_TIMEOUT_MS = 10_000
# A send waits for every record's outcome: confirmed, or failed after RECORD_TIMEOUT_MS.
SEND_TIMEOUT = RECORD_TIMEOUT_MS / 1000 + 5
RETRY_BACKOFF = Backoff(initial=0.5, maximum=10.0, jitter=0.2)


def relay_producer(kafka: KafkaConfig, client_id: str) -> ConfirmedProducer:
    """The relay's own producer. Its records time out within the relay's send, so a send that
    fails leaves nothing queued behind it: with a longer record timeout, records of a send that
    gave up during a broker outage were still delivered once the broker was back, and then again
    by the retry (every event twice). Being separate, it never holds up the pipeline's sends."""
    overrides = {**kafka.overrides, "message.timeout.ms": str(RECORD_TIMEOUT_MS)}
    return ConfirmedProducer(replace(kafka, overrides=overrides), client_id)


class EventSource(Protocol):
    """The outbox as the relay uses it (``batchops.store.event_outbox.EventOutbox``)."""

    def take(self, limit: int) -> list[PendingBatch]: ...

    def published(self, batch: PendingBatch) -> None: ...

    def give_back(self, batch: PendingBatch) -> None: ...


class EventRelay:
    def __init__(
        self,
        source: EventSource,
        sender: RecordSender,
        topic: str,
        tenant_id: str,
        *,
        interval: float = DEFAULT_INTERVAL,
        backoff: Backoff = RETRY_BACKOFF,
    ) -> None:
        self._source = source
        self._sender = sender
        self._topic = topic
        self._tenant = tenant_id
        self._interval = interval
        self._backoff = backoff
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"event-relay-{tenant_id}", daemon=True)
        self.published_events = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = SEND_TIMEOUT) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def poke(self) -> None:
        """A status changed here: relay now rather than at the next tick."""
        self._wake.set()

    def relay_once(self) -> int:
        """One round: take pending events, send them, remove them. Returns how many were sent;
        raises (after giving the leases back) if the broker did not confirm them all."""
        batches = self._source.take(OPERATIONS_PER_ROUND)
        if not batches:
            return 0
        records = _records(batches)
        try:
            if records:
                self._sender.send_all(self._topic, records, timeout=SEND_TIMEOUT)
        except BaseException:
            self._give_back(batches)
            raise
        for batch in batches:
            self._source.published(batch)
        self.published_events += len(records)
        return len(records)

    def _give_back(self, batches: Sequence[PendingBatch]) -> None:
        for batch in batches:
            try:
                self._source.give_back(batch)
            except Exception:  # its lease simply runs out
                log.warning("giving back an event lease failed", exc_info=True)

    def _run(self) -> None:
        failures = 0
        idle = 0  # rounds in a row that found nothing: the next look comes later
        with log_context(tenant=self._tenant, stage="events"):
            while not self._stop.is_set():
                try:
                    sent = self.relay_once()
                    failures = 0
                except PublishError as exc:
                    failures += 1
                    log.warning("publishing operation events failed; retrying: %s", exc)
                except Exception:
                    failures += 1
                    log.exception("relaying operation events failed; retrying")
                if failures:
                    self._stop.wait(self._backoff.pause(failures))
                    continue
                if sent:
                    idle = 0
                    continue  # more may be waiting (a backlog after an outage)
                idle += 1
                # Local changes poke; the periodic look is for other instances' events (an API
                # instance, a crashed relay), so an idle relay looks less often (up to 8x).
                poked = self._wake.wait(self._interval * 2 ** min(idle - 1, IDLE_DOUBLINGS))
                self._wake.clear()
                if poked:
                    idle = 0


def _records(batches: Sequence[PendingBatch]) -> list[tuple[str | bytes, bytes]]:
    """Each operation's events, oldest first, keyed by the operation id."""
    return [
        (
            str(batch.operation.id),
            operation_event_to_wire(batch.operation, pending.event, pending.sequence).SerializeToString(),
        )
        for batch in batches
        for pending in batch.events
    ]
