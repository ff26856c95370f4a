"""Use case: a duty supervisor gives a case to another officer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.errors import Conflict, InvalidInput, NotFound

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.db import roster as roster_db
from routing.domain.cases import Route
from routing.domain.escalation import EscalationPolicy
from routing.domain.policy import Chosen
from routing.usecases.assign import assign_next
from routing.usecases.assignment_updated import close_assignment


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
        incident = await incidents_db.locked(conn, incident_id)
        if incident is None:
            raise NotFound("incident_id", "no such incident")
        if incident.status == "resolved":
            raise Conflict("incident_id", "the incident is already resolved")
        target = await roster_db.officer(conn, officer_id)
        if target is None:
            raise InvalidInput("officer_id", "no such officer")
        if not target["active"]:
            raise InvalidInput("officer_id", "the officer is not active")
        for current in await assignments_db.live(conn, incident_id):
            await close_assignment(conn, incident, current, "reassigned", now, reason=reason)
        route: Route = "supervisor" if target["role"] == "supervisor" else "manual"
        await assign_next(conn, incident, policy, now, chosen=Chosen(officer_id, route))
        attempt, _ = await assignments_db.attempts_so_far(conn, incident_id)
        await audit(
            conn,
            SCHEMA,
            actor,
            "incident.reassign",
            incident_id,
            {"officer_id": officer_id, "reason": reason, "attempt": attempt},
        )
    return attempt
