"""Use case: a case closed with its outcome (`incident.resolved.v1`); the officer is free."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.errors import Conflict, NotFound
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_RESOLVED, IncidentResolved, Outcome

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db


async def resolve(
    pool: asyncpg.Pool,
    assignment_id: uuid.UUID,
    outcome: Outcome,
    actor: str,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        assigned = await assignments_db.locked(conn, assignment_id)
        if assigned is None or assigned.purpose != "assignment":
            raise NotFound("assignment_id", "no such assignment")
        if not assigned.resolvable:
            raise Conflict("assignment_id", f"the assignment is already {assigned.status}")
        incident = await incidents_db.locked(conn, assigned.incident_id)
        assert incident is not None
        await assignments_db.close(conn, assigned.id, "resolved", now, outcome=outcome)
        await incidents_db.set_status(conn, incident.id, "resolved", outcome)
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
        await audit(
            conn,
            SCHEMA,
            actor,
            "assignment.resolve",
            incident.id,
            {"assignment_id": str(assignment_id), "outcome": outcome},
        )
