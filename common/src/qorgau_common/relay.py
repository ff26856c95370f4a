"""The outbox relay: publish committed rows in order, pipelined, and never let one row jam it.

Rows are claimed under a per-schema advisory lock (one relay per schema at a time keeps the
order across replicas) and sent in waves: each wave holds at most one row per key, all its
sends are in flight together, and a key's next row goes only after the previous one was
acknowledged, so order per key (and so per partition) holds even when a send fails. What
the broker acknowledged is marked in one statement. A row that fails with an error that says
it can never be published as it is (too large, an invalid topic) counts an attempt; after
`max_attempts` it is parked: counted, visible to `qorgau-admin outbox`, retryable by hand,
and only the rows of its own key wait behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import asyncpg
import structlog
from aiokafka.errors import (
    CorruptRecordException,
    InvalidMessageError,
    InvalidTopicError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from opentelemetry.trace import SpanKind
from prometheus_client import Counter, Gauge

from .listener import Listener
from .outbox import OutboxMessage, channel_name
from .tracing import current_context_headers, span

__all__ = ["OUTBOX_LAG", "OUTBOX_PARKED", "OutboxRelay", "Send"]

log = structlog.get_logger(__name__)

OUTBOX_PUBLISHED = Counter(
    "qorgau_outbox_published_total", "Outbox rows published to Kafka", ["service", "topic"]
)
OUTBOX_LAG = Gauge(
    "qorgau_outbox_lag_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
OUTBOX_PARKED = Gauge(
    "qorgau_outbox_parked", "Outbox rows parked after repeated failures", ["service"]
)

Send = Callable[[OutboxMessage], Awaitable[Awaitable[object]]]
"""Hand a message to the producer and return its delivery future (awaited for the ack)."""

# The round's claim: the schema's relay lock (held to the round's commit) and the rows, in one
# statement; no rows if another relay holds the lock.
_PENDING = """
    WITH relay AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(hashtext($2)) AS held)
    SELECT id, topic, key, payload, headers FROM relay, "{schema}".outbox o
    WHERE relay.held AND published_at IS NULL AND parked_at IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM "{schema}".outbox p
        WHERE p.published_at IS NULL AND p.parked_at IS NOT NULL
          AND p.key IS NOT DISTINCT FROM o.key AND p.id < o.id)
    ORDER BY id LIMIT $1
"""


def _message(row: asyncpg.Record) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        topic=row["topic"],
        key=row["key"],
        payload=row["payload"],
        headers=json.loads(row["headers"]),
    )


def waves(messages: Sequence[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Split into waves holding at most one message per key, each key's messages in order."""
    result: list[list[OutboxMessage]] = []
    seen: dict[bytes | None, int] = {}
    for message in messages:
        index = seen.get(message.key, 0)
        seen[message.key] = index + 1
        if index == len(result):
            result.append([])
        result[index].append(message)
    return result


# Errors that say "this message can never be published as it is". Only these count an
# attempt towards parking a row. Anything else (the broker away, busy, restarting empty:
# Tansu answers `UnknownError` for a while after an empty restart) is retried for ever, or
# a broker outage would park, and so strand, every incident it touched.
_PERMANENT: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    InvalidTopicError,
    TopicAuthorizationFailedError,
    CorruptRecordException,
    InvalidMessageError,
    TypeError,
    ValueError,
)


def _counts_an_attempt(exc: BaseException) -> bool:
    return isinstance(exc, _PERMANENT)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        send: Send,
        *,
        poll_interval_s: float = 1.0,
        batch_size: int = 500,
        max_attempts: int = 5,
        on_failure: Callable[[BaseException], Awaitable[None]] | None = None,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._send = send
        self._poll_interval_s = poll_interval_s
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._on_failure = on_failure
        self._wake = asyncio.Event()
        self._retry = asyncio.Event()
        self._gauges_read_at: float | None = None

    async def drain(self) -> int:
        """Publish pending rows until none is left or a send fails; return how many went out.

        A round that claimed less than a full batch is the last: a row committed after its
        claim wakes the relay again (its NOTIFY), so no empty round is spent to find out."""
        total = 0
        while True:
            claimed, sent, failure = await self._publish_batch()
            total += sent
            if failure is not None:
                if self._on_failure is not None:
                    await self._on_failure(failure)
                raise failure
            if sent == 0 or claimed < self._batch_size:
                return total

    async def _publish_batch(self) -> tuple[int, int, BaseException | None]:
        """(rows claimed, rows sent, the first failure)."""
        schema = self._schema
        async with self._pool.acquire() as conn, conn.transaction():
            pending = _PENDING.format(schema=schema)
            rows = await conn.fetch(pending, self._batch_size, f"outbox:{schema}")
            if not rows:  # nothing to send, or another relay holds the lock
                return 0, 0, None
            sent, failed, first_failure = await self._send_in_waves([_message(r) for r in rows])
            if sent:
                await conn.execute(
                    f'UPDATE "{schema}".outbox SET published_at = now() WHERE id = ANY($1)', sent
                )
            counted = [(m.id, repr(e)[:500]) for m, e in failed if _counts_an_attempt(e)]
            if counted:
                await conn.executemany(
                    f'UPDATE "{schema}".outbox SET attempts = attempts + 1, last_error = $2,'
                    f" parked_at = CASE WHEN attempts + 1 >= {int(self._max_attempts)}"
                    " THEN now() END WHERE id = $1",
                    counted,
                )
        return len(rows), len(sent), first_failure

    async def _send_in_waves(
        self, messages: list[OutboxMessage]
    ) -> tuple[list[int], list[tuple[OutboxMessage, BaseException]], BaseException | None]:
        sent: list[int] = []
        failed: list[tuple[OutboxMessage, BaseException]] = []
        blocked: set[bytes | None] = set()
        for wave in waves(messages):
            wave = [m for m in wave if m.key not in blocked]
            outcomes = await asyncio.gather(*(self._send_one(m) for m in wave))
            for message, error in zip(wave, outcomes, strict=True):
                if error is None:
                    sent.append(message.id)
                    OUTBOX_PUBLISHED.labels(self._schema, message.topic).inc()
                else:
                    failed.append((message, error))
                    blocked.add(message.key)
        return sent, failed, failed[0][1] if failed else None

    async def _send_one(self, message: OutboxMessage) -> BaseException | None:
        try:
            with span(
                f"{message.topic} publish",
                self._schema,
                parent_headers=message.headers,
                kind=SpanKind.PRODUCER,
            ):
                traced = {**message.headers, **current_context_headers()}
                delivery = await self._send(replace(message, headers=traced))
            await delivery
        except Exception as exc:
            return exc
        return None

    async def record_gauges(self) -> None:
        """Lag of the oldest pending row and the parked count, whether or not sends work."""
        # Each half by its own partial index: `published_at IS NULL` alone matches neither, so
        # it read every published row still kept (2.4 ms a round in the bench's profile).
        outbox = f'"{self._schema}".outbox'
        row = await self._pool.fetchrow(
            f"SELECT (SELECT min(created_at) FROM {outbox}"
            "         WHERE published_at IS NULL AND parked_at IS NULL) AS oldest,"
            f"       (SELECT count(*) FROM {outbox}"
            "         WHERE published_at IS NULL AND parked_at IS NOT NULL) AS parked"
        )
        oldest: datetime | None = row["oldest"] if row else None
        OUTBOX_LAG.labels(self._schema).set(
            (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        )
        OUTBOX_PARKED.labels(self._schema).set(row["parked"] if row else 0)

    def _gauges_due(self) -> bool:
        """At most once a poll interval (and after every failed round): a busy relay is woken
        by every commit, and read its gauges as often as it published."""
        now = asyncio.get_running_loop().time()
        if self._gauges_read_at is not None and now - self._gauges_read_at < self._poll_interval_s:
            return False
        self._gauges_read_at = now
        return True

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    def retry_now(self) -> None:
        """Cut a backoff short: the broker was joined, so a send is worth trying at once."""
        self._retry.set()
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled; errors are logged and retried at the next wake or poll."""
        listener = Listener(self._pool, channel_name(self._schema), self._on_notify)
        backoff = 0.0
        try:
            while True:
                self._wake.clear()
                await listener.ensure()
                try:
                    await self.drain()
                    backoff = 0.0
                except Exception as exc:  # database or broker down: the next round retries
                    log.warning("outbox relay failed; will retry", error=repr(exc))
                    # Back off, whatever NOTIFYs come: a failing broker is not hammered, and
                    # a refused row is not tried five times in one second.
                    backoff = min(max(backoff * 2, 0.2), 5.0)
                if backoff or self._gauges_due():
                    with contextlib.suppress(Exception):
                        await self.record_gauges()
                if backoff:
                    self._retry.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._retry.wait(), backoff)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        finally:
            await listener.close()
