"""Transactional outbox: write the event with the state change, publish it afterwards.

`enqueue` runs inside the caller's transaction; `relay.OutboxRelay` publishes the rows,
woken by LISTEN/NOTIFY and by polling, and marks them sent only after the broker
acknowledged them. A crash between publish and mark republishes; consumers deduplicate on
`event_id`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from qorgau_contracts import Event

from .db import Connection
from .tracing import current_context_headers


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


async def enqueue(conn: Connection, schema: str, topic: str, key: str, event: Event) -> None:
    """Add `event` to the outbox in the caller's transaction; NOTIFY fires on commit.

    One statement, one round trip: the row and its notification (PostgreSQL folds the same
    notification within one transaction into one)."""
    await conn.execute(
        f'WITH added AS (INSERT INTO "{schema}".outbox (topic, key, payload, headers)'
        " VALUES ($1, $2, $3, $4) RETURNING id)"
        " SELECT pg_notify($5, '') FROM added",
        topic,
        key.encode(),
        event.model_dump_json().encode(),
        json.dumps({**event_headers(event), **current_context_headers()}),
        channel_name(schema),
    )
