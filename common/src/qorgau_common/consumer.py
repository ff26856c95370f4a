"""Consuming events safely: parse, apply with retries, dead-letter, then ack.

Infrastructure outages (database or network) are retried until they pass, so an outage
never empties a topic into its DLQ. Any other failure is retried a few times, then the
message goes to `<topic>.dlq` with its reason and the consumer moves on. The offset is
committed only after the effect committed or the message was parked.

A batch whose records all allow it is first applied in one shared transaction
(`unit_of_work`); if anything in it fails, it rolls back and the same records are applied
again one by one behind the guard, so the outcome is that of the one-by-one path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
import structlog
from faststream.kafka import KafkaBroker, KafkaMessage
from opentelemetry.trace import SpanKind
from prometheus_client import Counter
from pydantic import ValidationError
from qorgau_contracts import Event
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from .dead_letters import DeadLetters
from .inbox import claim_all
from .infrastructure import is_infrastructure_error
from .records import Record, record_of, records_of
from .tracing import span
from .unit_of_work import claimed_ahead_for, shared_transaction

__all__ = [
    "CONSUMED",
    "SHARED_FALLBACKS",
    "EventConsumer",
    "SharedBatches",
    "describe_validation_error",
]

log = structlog.get_logger(__name__)

E = TypeVar("E", bound=Event)

CONSUMED = Counter(
    "qorgau_events_consumed_total", "Events consumed", ["service", "topic", "outcome"]
)
SHARED_FALLBACKS = Counter(
    "qorgau_consumer_shared_batch_fallbacks_total",
    "Batches whose shared transaction failed and were applied again one by one",
    ["service"],
)


def describe_validation_error(exc: ValidationError) -> str:
    """Field paths and reasons, without the input values (which may be personal)."""
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '<body>'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    ]
    return "; ".join(parts)


Route = Callable[[str], "tuple[type[Event], Callable[[Any], Awaitable[None]]]"]


@dataclass(frozen=True)
class SharedBatches:
    """Which topics' effects may share one transaction per batch, and on which pool.

    `pool` is called per batch: the runtime's pool exists only once it has started. With
    `inbox` (the service's schema), the batch's inbox claims are made in one statement."""

    pool: Callable[[], asyncpg.Pool]
    topics: frozenset[str]
    inbox: str | None = None


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning("event failed; retrying", attempt=state.attempt_number, error=repr(error))


class EventConsumer:
    def __init__(
        self,
        broker: KafkaBroker,
        service: str,
        *,
        max_attempts: int = 5,
        backoff_max_s: float = 10.0,
    ) -> None:
        self._service = service
        self._dead_letters = DeadLetters(broker, service, backoff_max_s=backoff_max_s)
        self._max_attempts = max_attempts
        self._backoff_max_s = backoff_max_s

    async def consume(
        self, msg: KafkaMessage, model: type[E], apply: Callable[[E], Awaitable[None]]
    ) -> None:
        """One message: apply it behind the guard, then ack."""
        await self.apply_record(record_of(msg), model, apply)
        await msg.ack()

    async def consume_batch(
        self, msg: KafkaMessage, route: Route, *, shared: SharedBatches | None = None
    ) -> None:
        """A batch from one poll, then one offset commit for the whole batch.

        With `shared`, and every record's topic in it, the batch is first tried in one
        transaction. Otherwise, or if that fails, each partition's records in order
        (partitions side by side), each behind the guard. The commit comes only after every
        record's effect committed or the record was parked, so no offset is ever committed
        past an effect that did not commit.
        """
        records = records_of(msg)
        if await self._applied_together(records, route, shared):
            await msg.ack()
            return
        by_partition: dict[tuple[str, int], list[Record]] = {}
        for record in records:
            by_partition.setdefault((record.topic, record.partition), []).append(record)

        async def run(records: list[Record]) -> None:
            for record in records:
                model, apply = route(record.topic)
                await self.apply_record(record, model, apply)

        await asyncio.gather(*(run(records) for records in by_partition.values()))
        await msg.ack()

    async def _applied_together(
        self, records: tuple[Record, ...], route: Route, shared: SharedBatches | None
    ) -> bool:
        """Every record's effect in one transaction, in poll order. False, with nothing of
        it in effect, if a topic may not share, a record does not parse, or it rolled back."""
        if shared is None or not records or any(r.topic not in shared.topics for r in records):
            return False
        prepared: list[tuple[Record, Event, Callable[[Any], Awaitable[None]]]] = []
        for record in records:
            model, apply = route(record.topic)
            try:
                prepared.append((record, model.model_validate_json(record.value or b""), apply))
            except ValidationError:
                return False  # the one-by-one path parks it
        try:
            async with shared_transaction(shared.pool()) as conn:
                if shared.inbox is not None:
                    claims = [(event.event_id, record.topic) for record, event, _ in prepared]
                    new = await claim_all(conn, shared.inbox, claims)
                    claimed_ahead_for(shared.inbox, frozenset(e for e, _ in claims), new)
                for record, event, apply in prepared:
                    with self._observed(record, event):
                        await apply(event)
        except Exception as exc:
            SHARED_FALLBACKS.labels(self._service).inc()
            log.info("batch rolled back; applying it one by one", error=repr(exc))
            return False
        for record in records:
            CONSUMED.labels(self._service, record.topic, "applied").inc()
        return True

    @contextmanager
    def _observed(self, record: Record, event: Event) -> Iterator[None]:
        """The record's log context and its consumer span."""
        incident_id = str(getattr(event, "incident_id", "")) or None
        structlog.contextvars.bind_contextvars(
            correlation_id=str(event.correlation_id),
            incident_id=incident_id,
            event_id=str(event.event_id),
        )
        headers = {k: v.decode(errors="replace") for k, v in record.headers if v}
        try:
            with span(
                f"{record.topic} process",
                self._service,
                parent_headers=headers,
                kind=SpanKind.CONSUMER,
                incident_id=incident_id,
            ):
                yield
        finally:
            structlog.contextvars.unbind_contextvars("correlation_id", "incident_id", "event_id")

    async def apply_record(
        self, record: Record, model: type[E], apply: Callable[[E], Awaitable[None]]
    ) -> None:
        """Never raises (except on shutdown): under manual ack, a handler that raises is
        not redelivered and the next ack commits past it, so that message would be lost."""
        try:
            event = model.model_validate_json(record.value or b"")
        except ValidationError as exc:
            reason = f"invalid {model.__name__}: {describe_validation_error(exc)}"
            await self._park(record, reason, attempts=1, first_failed_at=datetime.now(UTC))
            return
        topic = record.topic
        started = datetime.now(UTC)
        with self._observed(record, event):
            try:
                await self._apply_with_retries(apply, event)
                CONSUMED.labels(self._service, topic, "applied").inc()
            except Exception as exc:
                log.error("event failed; parking it", topic=topic, error=repr(exc))
                await self._park(
                    record, repr(exc), attempts=self._max_attempts, first_failed_at=started
                )

    async def _apply_with_retries(self, apply: Callable[[E], Awaitable[None]], event: E) -> None:
        while True:
            try:
                async for attempt in AsyncRetrying(
                    stop=stop_after_attempt(self._max_attempts),
                    wait=wait_exponential(multiplier=0.2, max=self._backoff_max_s),
                    retry=retry_if_exception(lambda e: not is_infrastructure_error(e)),
                    before_sleep=_log_retry,
                    reraise=True,
                ):
                    with attempt:
                        await apply(event)
                return
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                log.warning("infrastructure unavailable; retrying", error=type(exc).__name__)
                await asyncio.sleep(self._backoff_max_s / 5)

    async def _park(
        self, record: Record, reason: str, *, attempts: int, first_failed_at: datetime
    ) -> None:
        await self._dead_letters.park(
            record, reason, attempts=attempts, first_failed_at=first_failed_at
        )
        CONSUMED.labels(self._service, record.topic, "dead_lettered").inc()
