from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection


async def record(
    conn: Connection | asyncpg.Pool,
    incident_id: uuid.UUID,
    user_id: uuid.UUID,
    short_code: str,
    at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO console.filed_reports (incident_id, user_id, short_code, filed_at)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO NOTHING",
        incident_id,
        user_id,
        short_code,
        at,
    )


async def recent(
    conn: Connection | asyncpg.Pool, user_id: uuid.UUID, limit: int = 20
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT incident_id, short_code, filed_at FROM console.filed_reports"
        " WHERE user_id = $1 ORDER BY filed_at DESC LIMIT $2",
        user_id,
        limit,
    )
