"""Transactional outbox: write the event with the state change, publish it afterwards.

`enqueue` runs inside the caller's transaction. `OutboxRelay` publishes unsent rows in
id order, wakes on LISTEN/NOTIFY and also polls, and marks rows sent only after the
broker acknowledged them. A crash between publish and mark republishes; consumers
deduplicate on `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import asyncpg
import structlog
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge
from qorgau_contracts import Event

from .db import Connection
from .tracing import current_context_headers, span

log = structlog.get_logger(__name__)

OUTBOX_PUBLISHED = Counter(
    "qorgau_outbox_published_total", "Outbox rows published to Kafka", ["service", "topic"]
)
OUTBOX_LAG = Gauge(
    "qorgau_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
)


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    topic: str
    key: bytes | None
    payload: bytes
    headers: dict[str, str]


Publish = Callable[[OutboxMessage], Awaitable[None]]


def channel_name(schema: str) -> str:
    return f"{schema}_outbox"


def event_headers(event: Event) -> dict[str, str]:
    return {
        "event_type": event.event_type,
        "event_id": str(event.event_id),
        "correlation_id": str(event.correlation_id),
    }


async def enqueue(conn: Connection, schema: str, topic: str, key: str, event: Event) -> None:
    """Add `event` to the outbox in the caller's transaction; NOTIFY fires on commit."""
    await conn.execute(
        f'INSERT INTO "{schema}".outbox (topic, key, payload, headers) VALUES ($1, $2, $3, $4)',
        topic,
        key.encode(),
        event.model_dump_json().encode(),
        json.dumps({**event_headers(event), **current_context_headers()}),
    )
    await conn.execute("SELECT pg_notify($1, '')", channel_name(schema))


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        publish: Publish,
        *,
        poll_interval_s: float = 1.0,
        batch_size: int = 100,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._publish = publish
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._wake = asyncio.Event()

    async def drain(self) -> int:
        """Publish unsent rows in order until none is left; return how many were sent."""
        total = 0
        while (sent := await self._publish_batch()) > 0:
            total += sent
        return total

    async def _publish_batch(self) -> int:
        schema = self._schema
        async with self._pool.acquire() as conn, conn.transaction():
            # One relay per schema at a time keeps the order across replicas.
            if not await conn.fetchval(
                "SELECT pg_try_advisory_xact_lock(hashtext($1))", f"outbox:{schema}"
            ):
                return 0
            rows = await conn.fetch(
                f'SELECT id, topic, key, payload, headers FROM "{schema}".outbox'
                " WHERE published_at IS NULL ORDER BY id LIMIT $1",
                self._batch_size,
            )
            sent: list[int] = []
            failure: Exception | None = None
            for row in rows:
                message = OutboxMessage(
                    id=row["id"],
                    topic=row["topic"],
                    key=row["key"],
                    payload=row["payload"],
                    headers=json.loads(row["headers"]),
                )
                try:
                    with span(
                        f"{message.topic} publish",
                        schema,
                        parent_headers=message.headers,
                        kind=SpanKind.PRODUCER,
                    ):
                        traced = {**message.headers, **current_context_headers()}
                        await self._publish(replace(message, headers=traced))
                except Exception as exc:  # stop here to keep the order; mark what went out
                    failure = exc
                    break
                sent.append(message.id)
                OUTBOX_PUBLISHED.labels(schema, message.topic).inc()
            if sent:
                await conn.execute(
                    f'UPDATE "{schema}".outbox SET published_at = now() WHERE id = ANY($1)', sent
                )
        if failure is not None:
            raise failure
        return len(sent)

    async def _record_lag(self) -> None:
        oldest: datetime | None = await self._pool.fetchval(
            f'SELECT min(created_at) FROM "{self._schema}".outbox WHERE published_at IS NULL'
        )
        lag = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_LAG.labels(self._schema).set(lag)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled. Publishing errors are logged and retried on the next wake."""
        listener = await self._pool.acquire()
        channel = channel_name(self._schema)
        listening = False
        try:
            # Inside the try: a stop right after a start must still release the connection,
            # or closing the pool waits for it forever.
            await listener.add_listener(channel, self._on_notify)
            listening = True
            while True:
                self._wake.clear()
                try:
                    await self.drain()
                    await self._record_lag()
                except Exception as exc:  # database or broker down: the next wake retries
                    log.warning("outbox relay failed; will retry", error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        finally:
            try:
                if listening:
                    await listener.remove_listener(channel, self._on_notify)
            finally:
                await self._pool.release(listener)
