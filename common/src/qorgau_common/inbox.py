from __future__ import annotations

import uuid

from .db import Connection


async def claim_event(conn: Connection, schema: str, event_id: uuid.UUID, topic: str) -> bool:
    """Record `event_id` in the inbox; False if it was already processed.

    Call inside the transaction that applies the event's effect, so the record and the
    effect commit (or roll back) together.
    """
    row = await conn.fetchval(
        f'INSERT INTO "{schema}".inbox (event_id, topic) VALUES ($1, $2)'
        " ON CONFLICT (event_id) DO NOTHING RETURNING true",
        event_id,
        topic,
    )
    return bool(row)
