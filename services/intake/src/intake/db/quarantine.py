"""SQL for the webhook quarantine: authentic updates that could not be processed."""

from __future__ import annotations

import uuid
from datetime import datetime

from qorgau_common.db import Connection

from intake.domain.crypto import Sealed


async def add(
    conn: Connection, quarantine_id: uuid.UUID, platform: str, reason: str, sealed: Sealed
) -> None:
    await conn.execute(
        "INSERT INTO intake.webhook_quarantine (id, platform, reason, body, key_id)"
        " VALUES ($1, $2, $3, $4, $5)",
        quarantine_id,
        platform,
        reason,
        sealed.ciphertext,
        sealed.key_id,
    )


async def latest(conn: Connection, limit: int = 50) -> list[tuple[uuid.UUID, str, str, datetime]]:
    """(id, platform, reason, received_at) of the newest quarantined updates; no bodies."""
    rows = await conn.fetch(
        "SELECT id, platform, reason, received_at FROM intake.webhook_quarantine"
        " ORDER BY received_at DESC LIMIT $1",
        limit,
    )
    return [(r["id"], r["platform"], r["reason"], r["received_at"]) for r in rows]
