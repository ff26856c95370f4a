"""The inbox: each consumed event takes effect once, however often it is delivered."""

from __future__ import annotations

from qorgau_contracts import Event

from .db import Connection

__all__ = ["claim_event"]


async def claim_event(conn: Connection, schema: str, event: Event, topic: str) -> bool:
    """Record `event` in the inbox; False if it was already processed (skip its effect).

    Call inside the transaction that applies the event's effect, so the record and the
    effect commit (or roll back) together:

        async with conn.transaction():
            if not await claim_event(conn, SCHEMA, event, topic):
                return
            ...effect...
    """
    row = await conn.fetchval(
        f'INSERT INTO "{schema}".inbox (event_id, topic) VALUES ($1, $2)'
        " ON CONFLICT (event_id) DO NOTHING RETURNING true",
        event.event_id,
        topic,
    )
    return bool(row)
