"""The replies notify passed to routing, and routing's verdict on each."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection
from qorgau_contracts import Outcome, ReplyAnswer, ReplyVerdict


async def insert_reply(
    conn: Connection,
    alert_id: uuid.UUID,
    answer: ReplyAnswer,
    outcome: Outcome | None,
    now: datetime,
) -> uuid.UUID:
    reply_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO notify.replies (id, alert_id, answer, outcome, received_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        reply_id,
        alert_id,
        answer,
        outcome,
        now,
    )
    return reply_id


async def answered(
    conn: Connection, reply_id: uuid.UUID, verdict: ReplyVerdict
) -> asyncpg.Record | None:
    """Record routing's verdict; the reply (answer, outcome), or None if it is not ours or
    was already answered (a redelivered answer confirms nothing twice)."""
    return await conn.fetchrow(
        "UPDATE notify.replies SET verdict = $2, answered_at = now()"
        " WHERE id = $1 AND answered_at IS NULL RETURNING answer, outcome",
        reply_id,
        verdict,
    )
