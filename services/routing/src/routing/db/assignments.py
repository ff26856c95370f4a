"""SQL for routing's assignments table (attempts and supervisor notices), and the roster lock."""

from __future__ import annotations

import uuid
from datetime import datetime

from qorgau_common.db import Connection
from qorgau_contracts import AlertStatus, AssignmentPurpose, Outcome

from routing.domain.cases import Assignment, AssignmentRoute, AssignmentStatus

_COLUMNS = "id, incident_id, attempt, officer_id, purpose, status, created_at"


async def lock_roster(conn: Connection) -> None:
    """Serialise assignment decisions across routing processes for this transaction.

    Loads are read and changed under the lock, so two processes never both see the same
    officer as the least loaded, and no count is lost.
    """
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext('routing:assign'))")


async def attempts_so_far(conn: Connection, incident_id: uuid.UUID) -> tuple[int, frozenset[str]]:
    """The last attempt number and the officers already tried for the incident."""
    rows = await conn.fetch(
        "SELECT attempt, officer_id FROM routing.assignments"
        " WHERE incident_id = $1 AND purpose = 'assignment'",
        incident_id,
    )
    return max((r["attempt"] for r in rows), default=0), frozenset(r["officer_id"] for r in rows)


async def insert(
    conn: Connection,
    assignment_id: uuid.UUID,
    incident_id: uuid.UUID,
    officer_id: str,
    *,
    attempt: int,
    route: AssignmentRoute,
    ack_deadline: datetime,
    purpose: AssignmentPurpose,
    now: datetime,
) -> None:
    status: AssignmentStatus = "open" if purpose == "assignment" else "notice"
    await conn.execute(
        "INSERT INTO routing.assignments (id, incident_id, attempt, officer_id, route,"
        " ack_deadline, purpose, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        assignment_id,
        incident_id,
        attempt,
        officer_id,
        route,
        ack_deadline,
        purpose,
        status,
        now,
    )


async def locked(conn: Connection, assignment_id: uuid.UUID) -> Assignment | None:
    """The assignment, row-locked for the caller's transaction."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM routing.assignments WHERE id = $1 FOR UPDATE", assignment_id
    )
    return Assignment(**dict(row)) if row else None


async def live(conn: Connection, incident_id: uuid.UUID) -> list[Assignment]:
    """The incident's open or accepted assignments, row-locked."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM routing.assignments WHERE incident_id = $1"
        " AND purpose = 'assignment' AND status IN ('open', 'acknowledged') FOR UPDATE",
        incident_id,
    )
    return [Assignment(**dict(r)) for r in rows]


async def due(conn: Connection, now: datetime, limit: int) -> list[Assignment]:
    """Open assignments past their deadline, locked; another process skips them."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM routing.assignments"
        " WHERE status = 'open' AND purpose = 'assignment' AND ack_deadline <= $1"
        " ORDER BY ack_deadline LIMIT $2 FOR UPDATE SKIP LOCKED",
        now,
        limit,
    )
    return [Assignment(**dict(r)) for r in rows]


async def close(
    conn: Connection,
    assignment_id: uuid.UUID,
    status: AssignmentStatus,
    now: datetime,
    *,
    reason: str | None = None,
    outcome: Outcome | None = None,
) -> None:
    """Set the assignment's new status; `acknowledged` keeps it live, any other closes it."""
    stamp = "acknowledged_at" if status == "acknowledged" else "closed_at"
    await conn.execute(
        f"UPDATE routing.assignments SET status = $2, {stamp} = $3,"
        " reason = coalesce($4, reason), outcome = coalesce($5, outcome) WHERE id = $1",
        assignment_id,
        status,
        now,
        reason,
        outcome,
    )


async def set_alert_status(conn: Connection, assignment_id: uuid.UUID, status: AlertStatus) -> None:
    await conn.execute(
        "UPDATE routing.assignments SET alert_status = $2 WHERE id = $1", assignment_id, status
    )
