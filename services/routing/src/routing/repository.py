"""SQL for routing's incidents and assignments, with inbox and outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.outbox import enqueue
from qorgau_contracts import (
    INCIDENT_ASSIGNED,
    INCIDENT_RESOLVED,
    AssignmentPurpose,
    Event,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
    Outcome,
)

SCHEMA = "routing"


@dataclass(frozen=True)
class Incident:
    id: uuid.UUID
    correlation_id: uuid.UUID
    short_code: str
    district: str | None
    priority: str
    risk_level: str
    address_line: str
    exercise: bool
    status: str
    received_at: datetime


@dataclass(frozen=True)
class Assignment:
    id: uuid.UUID
    incident_id: uuid.UUID
    attempt: int
    officer_id: str
    purpose: str
    status: str
    created_at: datetime


_INCIDENT = (
    "id, correlation_id, short_code, district, priority, risk_level, address_line, exercise,"
    " status, received_at"
)
_ASSIGNMENT = "id, incident_id, attempt, officer_id, purpose, status, created_at"


async def claim(conn: Connection, event: Event, topic: str) -> bool:
    return await claim_event(conn, SCHEMA, event, topic)


async def lock_roster(conn: Connection) -> None:
    """Serialise assignment decisions across routing processes for this transaction.

    Loads are read and changed under the lock, so two processes never both see the same
    officer as the least loaded, and no count is lost.
    """
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('routing:assign'))")


async def save_incident(
    conn: Connection, event: IncidentReported, district: str | None, reason: str | None
) -> bool:
    """Insert the incident; False if routing already knows it."""
    inserted = await conn.fetchval(
        """
        INSERT INTO routing.incidents (id, correlation_id, short_code, district, priority,
            risk_level, address_line, exercise, status, status_reason, reported_at, received_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'routing', $9, $10, $10)
        ON CONFLICT (id) DO NOTHING RETURNING true
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
    return bool(inserted)


async def incident(conn: Connection, incident_id: uuid.UUID) -> Incident | None:
    row = await conn.fetchrow(
        f"SELECT {_INCIDENT} FROM routing.incidents WHERE id = $1 FOR UPDATE", incident_id
    )
    return Incident(**dict(row)) if row else None


async def update_triage(
    conn: Connection, incident_id: uuid.UUID, district: str | None, priority: str, risk_level: str
) -> None:
    await conn.execute(
        "UPDATE routing.incidents SET district = coalesce($2, district), priority = $3,"
        " risk_level = $4, updated_at = now() WHERE id = $1",
        incident_id,
        district,
        priority,
        risk_level,
    )


async def mark_incident(
    conn: Connection, incident_id: uuid.UUID, status: str, reason: str | None = None
) -> None:
    await conn.execute(
        "UPDATE routing.incidents SET status = $2, status_reason = coalesce($3, status_reason),"
        " updated_at = now() WHERE id = $1",
        incident_id,
        status,
        reason,
    )


async def attempts_so_far(conn: Connection, incident_id: uuid.UUID) -> tuple[int, frozenset[str]]:
    """The last attempt number and the officers already tried for the incident."""
    rows = await conn.fetch(
        "SELECT attempt, officer_id FROM routing.assignments"
        " WHERE incident_id = $1 AND purpose = 'assignment'",
        incident_id,
    )
    return max((r["attempt"] for r in rows), default=0), frozenset(r["officer_id"] for r in rows)


async def create_assignment(
    conn: Connection,
    incident: Incident,
    officer_id: str,
    *,
    attempt: int,
    route: str,
    ack_deadline: datetime,
    now: datetime,
    purpose: AssignmentPurpose = "assignment",
) -> IncidentAssigned:
    """The assignment (or supervisor notice) row and its event, in the caller's transaction."""
    officer = await conn.fetchrow(
        "UPDATE routing.officers SET last_assigned_at = CASE WHEN $2 THEN $3"
        " ELSE last_assigned_at END WHERE id = $1 RETURNING phone, language",
        officer_id,
        purpose == "assignment",
        now,
    )
    assert officer is not None, f"unknown officer {officer_id}"
    assigned = IncidentAssigned(
        producer=SCHEMA,
        correlation_id=incident.correlation_id,
        exercise=incident.exercise,
        assignment_id=uuid.uuid4(),
        incident_id=incident.id,
        short_code=incident.short_code,
        attempt=attempt,
        officer_id=officer_id,
        officer_phone=officer["phone"],
        officer_language=officer["language"],
        district=incident.district,
        priority=incident.priority,
        risk_level=incident.risk_level,
        address_line=incident.address_line,
        ack_deadline=ack_deadline,
        purpose=purpose,
    )
    await conn.execute(
        "INSERT INTO routing.assignments (id, incident_id, attempt, officer_id, route,"
        " ack_deadline, purpose, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        assigned.assignment_id,
        incident.id,
        attempt,
        officer_id,
        route,
        ack_deadline,
        purpose,
        "open" if purpose == "assignment" else "notice",
    )
    await enqueue(conn, SCHEMA, INCIDENT_ASSIGNED.name, str(incident.id), assigned)
    return assigned


async def assignment(conn: Connection, assignment_id: uuid.UUID) -> Assignment | None:
    row = await conn.fetchrow(
        f"SELECT {_ASSIGNMENT} FROM routing.assignments WHERE id = $1 FOR UPDATE",
        assignment_id,
    )
    return Assignment(**dict(row)) if row else None


async def open_assignments(conn: Connection, incident_id: uuid.UUID) -> list[Assignment]:
    rows = await conn.fetch(
        f"SELECT {_ASSIGNMENT} FROM routing.assignments WHERE incident_id = $1"
        " AND purpose = 'assignment' AND status IN ('open', 'acknowledged') FOR UPDATE",
        incident_id,
    )
    return [Assignment(**dict(r)) for r in rows]


async def due_assignments(conn: Connection, now: datetime, limit: int) -> list[Assignment]:
    """Open assignments past their deadline, locked; another process skips them."""
    rows = await conn.fetch(
        f"SELECT {_ASSIGNMENT} FROM routing.assignments"
        " WHERE status = 'open' AND purpose = 'assignment' AND ack_deadline <= $1"
        " ORDER BY ack_deadline LIMIT $2 FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [Assignment(**dict(r)) for r in rows]


async def close_assignment(
    conn: Connection,
    assignment_id: uuid.UUID,
    status: str,
    *,
    reason: str | None = None,
    outcome: str | None = None,
) -> None:
    acknowledged = "acknowledged_at = now()," if status == "acknowledged" else ""
    closed = "" if status == "acknowledged" else "closed_at = now(),"
    await conn.execute(
        f"UPDATE routing.assignments SET status = $2, {acknowledged} {closed}"
        " reason = coalesce($3, reason), outcome = coalesce($4, outcome) WHERE id = $1",
        assignment_id,
        status,
        reason,
        outcome,
    )


async def set_alert_status(conn: Connection, assignment_id: uuid.UUID, status: str) -> None:
    await conn.execute(
        "UPDATE routing.assignments SET alert_status = $2 WHERE id = $1", assignment_id, status
    )


async def publish_resolved(
    conn: Connection, incident: Incident, assigned: Assignment, outcome: Outcome, actor: str
) -> None:
    event = IncidentResolved(
        producer=SCHEMA,
        correlation_id=incident.correlation_id,
        exercise=incident.exercise,
        incident_id=incident.id,
        assignment_id=assigned.id,
        officer_id=assigned.officer_id,
        outcome=outcome,
        resolved_by=actor[:64],
    )
    await enqueue(conn, SCHEMA, INCIDENT_RESOLVED.name, str(incident.id), event)


async def board_rows(conn: Connection | asyncpg.Pool) -> list[asyncpg.Record]:
    """Incidents still needing attention, with their current assignment if any."""
    return await conn.fetch(
        """
        SELECT i.id, i.short_code, i.district, i.priority, i.status, i.status_reason,
               i.received_at, a.officer_id, a.attempt, a.status AS assignment_status,
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
