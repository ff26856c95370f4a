"""Transactional outbox: write the event with the state change, publish it afterwards.

`enqueue` runs inside the caller's transaction; `relay.OutboxRelay` publishes the rows,
woken by LISTEN/NOTIFY and by polling, and marks them sent only after the broker
acknowledged them. A crash between publish and mark republishes; consumers deduplicate on
`event_id`.

Inside `written_together(conn)` (every `unit_of_work`, shared batch and group commit opens
one), an `enqueue` on that connection only notes its row, and the transaction's rows go in
one statement per schema when its body is done, before the commit, in the order enqueued:
a batch of 200 events is one round trip, not 200 (`docs/performance.md`). Each row keeps what
was true at its `enqueue`: its payload and its trace context.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from qorgau_contracts import Event

from .db import Connection
from .tracing import current_context_headers

__all__ = ["OutboxMessage", "channel_name", "enqueue", "event_headers", "written_together"]


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    topic: str
    key: bytes | None
    payload: bytes
    headers: dict[str, str]


def channel_name(schema: str) -> str:
    return f"{schema}_outbox"


def event_headers(event: Event) -> dict[str, str]:
    return {
        "event_type": event.event_type,
        "event_id": str(event.event_id),
        "correlation_id": str(event.correlation_id),
    }


_Row = tuple[str, bytes, bytes, str]  # topic, key, payload, headers


@dataclass
class _Noted:
    conn: Connection
    rows: defaultdict[str, list[_Row]] = field(default_factory=lambda: defaultdict(list))


_NOTED: ContextVar[_Noted | None] = ContextVar("qorgau_outbox_noted", default=None)


async def enqueue(conn: Connection, schema: str, topic: str, key: str, event: Event) -> None:
    """Add `event` to the outbox in the caller's transaction; NOTIFY fires on commit.

    Inside `written_together(conn)` the row waits for the others of the transaction; else it
    is one statement: the row and its notification."""
    row = (
        topic,
        key.encode(),
        event.model_dump_json().encode(),
        json.dumps({**event_headers(event), **current_context_headers()}),
    )
    noted = _NOTED.get()
    if noted is not None and noted.conn is conn:
        noted.rows[schema].append(row)
    else:
        await _write(conn, schema, [row])


@asynccontextmanager
async def written_together(conn: Connection) -> AsyncIterator[None]:
    """Inside a transaction on `conn`: its body's events go in one statement per schema
    when it is done (none if it raised: the transaction is rolling back)."""
    noted = _Noted(conn)
    token = _NOTED.set(noted)
    try:
        yield
    finally:
        _NOTED.reset(token)
    for schema, rows in noted.rows.items():
        await _write(conn, schema, rows)


async def _write(conn: Connection, schema: str, rows: list[_Row]) -> None:
    """The rows, in order (ids follow the arrays' order), and one notification (PostgreSQL
    folds the same notification within one transaction into one)."""
    topics, keys, payloads, headers = zip(*rows, strict=True)
    await conn.execute(
        f'WITH added AS (INSERT INTO "{schema}".outbox (topic, key, payload, headers)'
        " SELECT topic, key, payload, headers::jsonb"
        " FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::text[])"
        " WITH ORDINALITY AS r (topic, key, payload, headers, n) ORDER BY n RETURNING id)"
        " SELECT pg_notify($5, '') FROM (SELECT 1 FROM added LIMIT 1) AS one",
        list(topics),
        list(keys),
        list(payloads),
        list(headers),
        channel_name(schema),
    )
