"""SQL for what happens after intake: status changes from downstream events, and
reconciliation of incidents nobody has routed."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection


async def lock_status(conn: Connection, incident_id: uuid.UUID) -> str | None:
    status: str | None = await conn.fetchval(
        "SELECT status FROM intake.incidents WHERE id = $1 FOR UPDATE", incident_id
    )
    return status


async def set_status(
    conn: Connection, incident_id: uuid.UUID, status: str, *, routed: bool
) -> None:
    await conn.execute(
        "UPDATE intake.incidents SET status = $2, updated_at = now(),"
        " routed_at = CASE WHEN $3 THEN coalesce(routed_at, now()) ELSE routed_at END"
        " WHERE id = $1",
        incident_id,
        status,
        routed,
    )


_REPORTED_COLUMNS = """
    id, short_code, channel, received_at, status, district, district_unresolved_reason,
    address_line, lat, lon, priority, priority_reason, risk_level, risk_flags,
    linked_incident_ids, exercise"""


async def reported_row(conn: Connection, incident_id: uuid.UUID) -> asyncpg.Record:
    """What an `incident.reported.v1` carries, read back after a change."""
    row = await conn.fetchrow(
        f"SELECT {_REPORTED_COLUMNS} FROM intake.incidents WHERE id = $1", incident_id
    )
    assert row is not None
    return row


async def claim_unrouted(
    conn: Connection, now: datetime, older_than_s: float, limit: int
) -> list[asyncpg.Record]:
    """Incidents still waiting for routing, last published over `older_than_s` ago.

    Locked with SKIP LOCKED, so two intake processes never republish the same one.
    """
    return await conn.fetch(
        f"""
        SELECT {_REPORTED_COLUMNS}
        FROM intake.incidents
        WHERE routed_at IS NULL AND status IN ('reported', 'awaiting_triage')
          AND coalesce(republished_at, created_at) <= $1::timestamptz - make_interval(secs => $2)
        ORDER BY created_at
        LIMIT $3
        FOR UPDATE SKIP LOCKED
        """,
        now,
        older_than_s,
        limit,
    )


async def mark_republished(conn: Connection, incident_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        "UPDATE intake.incidents SET republished_at = $2 WHERE id = $1", incident_id, now
    )
