"""SQL for routing's incidents table, and the board that reads it with the latest attempt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection
from qorgau_contracts import IncidentReported, Priority, RiskLevel

from routing.domain.cases import Incident, IncidentStatus

COLUMNS = (
    "id, correlation_id, short_code, district, priority, risk_level, address_line, exercise,"
    " status, received_at"
)


@dataclass(frozen=True)
class IncidentChange:
    """An incident's new status (and reason), to go with another statement's change."""

    incident_id: uuid.UUID
    status: IncidentStatus
    reason: str | None = None


async def insert(
    conn: Connection, event: IncidentReported, district: str | None, reason: str | None
) -> Incident | None:
    """Insert the reported incident and return it (locked, as the caller's own new row);
    None if routing already knows it."""
    row = await conn.fetchrow(
        f"""
        INSERT INTO routing.incidents (id, correlation_id, short_code, district, priority,
            risk_level, address_line, exercise, status, status_reason, reported_at, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'routing', $9, $10, $10)
        ON CONFLICT (id) DO NOTHING RETURNING {COLUMNS}
        """,
        event.incident_id,
        event.correlation_id,
        event.short_code,
        district,
        event.priority,
        event.risk_level,
        event.address_line,
        event.exercise,
        reason,
        event.received_at,
    )
    return Incident(**dict(row)) if row else None


async def locked(conn: Connection, incident_id: uuid.UUID) -> Incident | None:
    """The incident, row-locked for the caller's transaction."""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS} FROM routing.incidents WHERE id = $1 FOR UPDATE", incident_id
    )
    return Incident(**dict(row)) if row else None


async def get(conn: Connection, incident_id: uuid.UUID) -> Incident | None:
    """The incident, not locked."""
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM routing.incidents WHERE id = $1", incident_id)
    return Incident(**dict(row)) if row else None


async def update_triage(
    conn: Connection,
    incident_id: uuid.UUID,
    district: str | None,
    priority: Priority,
    risk_level: RiskLevel,
    address_line: str | None = None,
) -> None:
    await conn.execute(
        "UPDATE routing.incidents SET district = coalesce($2, district), priority = $3,"
        " risk_level = $4, address_line = coalesce($5, address_line), updated_at = now()"
        " WHERE id = $1",
        incident_id,
        district,
        priority,
        risk_level,
        address_line,
    )


async def set_status(
    conn: Connection, incident_id: uuid.UUID, status: IncidentStatus, reason: str | None = None
) -> None:
    await conn.execute(
        "UPDATE routing.incidents SET status = $2, status_reason = coalesce($3, status_reason),"
        " updated_at = now() WHERE id = $1",
        incident_id,
        status,
        reason,
    )


async def board_rows(conn: Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    """Incidents still needing attention, with their current assignment if any."""
    return await conn.fetch(
        """
        SELECT i.id, i.short_code, i.district, i.priority, i.status, i.status_reason,
               i.received_at, a.id AS assignment_id, a.officer_id, a.attempt,
               a.status AS assignment_status,
               a.alert_status, a.ack_deadline
        FROM routing.incidents i
        LEFT JOIN LATERAL (
            SELECT * FROM routing.assignments a
            WHERE a.incident_id = i.id AND a.purpose = 'assignment'
            ORDER BY a.attempt DESC LIMIT 1
        ) a ON true
        WHERE i.status <> 'resolved'
        ORDER BY i.received_at
        """
    )


async def unassigned_escalated(conn: Connection | asyncpg.Pool) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM routing.incidents WHERE status = 'unassigned_escalated'"
    )
    return count


async def overdue_by_priority(conn: Connection | asyncpg.Pool, now: datetime) -> dict[str, int]:
    """Incidents nobody acknowledged although their first deadline has passed."""
    rows = await conn.fetch(
        """
        SELECT i.priority, count(*) FROM routing.incidents i
        WHERE i.status IN ('routing', 'assigned', 'unassigned_escalated')
          AND EXISTS (SELECT 1 FROM routing.assignments a
                      WHERE a.incident_id = i.id AND a.purpose = 'assignment'
                        AND a.attempt = 1 AND a.ack_deadline < $1)
        GROUP BY i.priority
        """,
        now,
    )
    return {r["priority"]: r["count"] for r in rows}
