"""The inbox: each consumed event takes effect once, however often it is delivered."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from qorgau_contracts import Event

from .db import Connection
from .unit_of_work import claimed_ahead

__all__ = ["claim_all", "claim_event"]


async def claim_event(conn: Connection, schema: str, event: Event, topic: str) -> bool:
    """Record `event` in the inbox; False if it was already processed (skip its effect).

    Call inside the transaction that applies the event's effect, so the record and the
    effect commit (or roll back) together:

        async with unit_of_work(pool) as conn:
            if not await claim_event(conn, SCHEMA, event, topic):
                return
            ...effect...

    In a shared batch the guard has claimed the whole batch in one statement already
    (`claim_all`); the answer is then that one's, with no round trip.
    """
    ahead = claimed_ahead(schema, event.event_id)
    if ahead is not None:
        return ahead
    row = await conn.fetchval(
        f'INSERT INTO "{schema}".inbox (event_id, topic) VALUES ($1, $2)'
        " ON CONFLICT (event_id) DO NOTHING RETURNING true",
        event.event_id,
        topic,
    )
    return bool(row)


async def claim_all(
    conn: Connection, schema: str, claims: Sequence[tuple[uuid.UUID, str]]
) -> set[uuid.UUID]:
    """Record every (event id, topic) in the inbox in one statement; the ids that were new.

    An id twice in `claims` is new at most once."""
    rows = await conn.fetch(
        f'INSERT INTO "{schema}".inbox (event_id, topic)'
        " SELECT * FROM unnest($1::uuid[], $2::text[])"
        " ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        [event_id for event_id, _ in claims],
        [topic for _, topic in claims],
    )
    return {r["event_id"] for r in rows}
