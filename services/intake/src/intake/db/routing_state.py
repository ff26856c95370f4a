"""SQL for the incidents reconciliation must publish again (routing has not answered)."""

from __future__ import annotations

import uuid
from datetime import datetime

from qorgau_common.db import Connection

from intake.domain.incident import Incident

from .incidents import COLUMNS, from_row


async def claim_unrouted(
    conn: Connection, now: datetime, older_than_s: float, limit: int
) -> list[Incident]:
    """Incidents still waiting for routing, last published over `older_than_s` ago.

    Locked with SKIP LOCKED, so two intake processes never republish the same one. One
    republished by this very round (at `now`) is not taken again by its next batch, even with
    `older_than_s` 0 (after a lost log).
    """
    rows = await conn.fetch(
        f"""
        SELECT {COLUMNS}
        FROM intake.incidents
        WHERE routed_at IS NULL AND status IN ('reported', 'awaiting_triage')
          AND coalesce(republished_at, created_at) <= $1::timestamptz - make_interval(secs => $2)
          AND republished_at IS DISTINCT FROM $1::timestamptz
        ORDER BY created_at
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """,
        now,
        older_than_s,
        limit,
    )
    return [from_row(r) for r in rows]


async def mark_republished(conn: Connection, incident_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        "UPDATE intake.incidents SET republished_at = $2 WHERE id = $1", incident_id, now
    )
