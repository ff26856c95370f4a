"""Use cases for duty supervisors: the board, reassigning, resolving."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg
from qorgau_common.auth import audit
from qorgau_common.problems import Conflict, InvalidInput, NotFound
from qorgau_contracts import Outcome

from . import repository as repo
from . import roster_store as roster
from .assign import assign_next
from .domain import Chosen, EscalationPolicy, Route


async def board(pool: asyncpg.Pool, now: datetime | None = None) -> dict[str, Any]:
    """Counts by district and status, and every incident still open, oldest first."""
    now = now or datetime.now(UTC)
    rows = await repo.board_rows(pool)
    counts: Counter[tuple[str, str]] = Counter((r["district"] or "none", r["status"]) for r in rows)
    by_district: dict[str, dict[str, int]] = {}
    for (district, status), n in sorted(counts.items()):
        by_district.setdefault(district, {})[status] = n
    incidents = [
        {
            "incident_id": str(r["id"]),
            "short_code": r["short_code"],
            "district": r["district"],
            "priority": r["priority"],
            "status": r["status"],
            "reason": r["status_reason"],
            "age_s": round((now - r["received_at"]).total_seconds()),
            "officer_id": r["officer_id"],
            "attempt": r["attempt"],
            "alert_status": r["alert_status"],
            "ack_deadline": r["ack_deadline"].isoformat() if r["ack_deadline"] else None,
            "overdue": bool(
                r["assignment_status"] == "open" and r["ack_deadline"] and r["ack_deadline"] < now
            ),
        }
        for r in rows
    ]
    return {
        "generated_at": now.isoformat(),
        "counts": by_district,
        "unacknowledged": [i for i in incidents if i["status"] == "assigned"],
        "escalated": [i for i in incidents if i["status"] == "unassigned_escalated"],
        "open": incidents,
    }


async def reassign(
    pool: asyncpg.Pool,
    incident_id: uuid.UUID,
    officer_id: str,
    reason: str,
    actor: str,
    policy: EscalationPolicy,
    now: datetime | None = None,
) -> int:
    """Move a case to `officer_id`; the new attempt number."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        incident = await repo.incident(conn, incident_id)
        if incident is None:
            raise NotFound("incident_id", "no such incident")
        if incident.status == "resolved":
            raise Conflict("incident_id", "the incident is already resolved")
        target = await roster.officer(conn, officer_id)
        if target is None:
            raise InvalidInput("officer_id", "no such officer")
        if not target["active"]:
            raise InvalidInput("officer_id", "the officer is not active")
        for current in await repo.open_assignments(conn, incident_id):
            await repo.close_assignment(conn, current.id, "reassigned", reason=reason)
        route: Route = "supervisor" if target["role"] == "supervisor" else "manual"
        await assign_next(conn, incident, policy, now, chosen=Chosen(officer_id, route))
        attempt, _ = await repo.attempts_so_far(conn, incident_id)
        await audit(
            conn,
            repo.SCHEMA,
            actor,
            "incident.reassign",
            incident_id,
            {"officer_id": officer_id, "reason": reason, "attempt": attempt},
        )
    return attempt


async def resolve(
    pool: asyncpg.Pool, assignment_id: uuid.UUID, outcome: Outcome, actor: str
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        assigned = await repo.assignment(conn, assignment_id)
        if assigned is None or assigned.purpose != "assignment":
            raise NotFound("assignment_id", "no such assignment")
        if assigned.status not in ("open", "acknowledged"):
            raise Conflict("assignment_id", f"the assignment is already {assigned.status}")
        incident = await repo.incident(conn, assigned.incident_id)
        assert incident is not None
        await repo.close_assignment(conn, assigned.id, "resolved", outcome=outcome)
        await repo.mark_incident(conn, incident.id, "resolved", outcome)
        await repo.publish_resolved(conn, incident, assigned, outcome, actor)
        await audit(
            conn,
            repo.SCHEMA,
            actor,
            "assignment.resolve",
            incident.id,
            {"assignment_id": str(assignment_id), "outcome": outcome},
        )
