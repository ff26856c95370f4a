"""Use case: a case closed with its outcome (`incident.resolved.v1`); the officer is free."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.db import Connection
from qorgau_common.errors import Conflict, NotFound
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_RESOLVED, IncidentResolved, Outcome

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.domain.cases import Assignment, Incident

from .assignment_updated import Answered, close_assignment


async def resolve(
    pool: asyncpg.Pool,
    assignment_id: uuid.UUID,
    outcome: Outcome,
    actor: str,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        found = await assignments_db.locked_with_incident(conn, assignment_id)
        if found is None or found[0].purpose != "assignment":
            raise NotFound("assignment_id", "no such assignment")
        assigned, incident = found
        if not assigned.resolvable:
            raise Conflict("assignment_id", f"the assignment is already {assigned.status}")
        await resolve_case(conn, incident, assigned, outcome, actor, now)


async def resolve_case(
    conn: Connection,
    incident: Incident,
    assigned: Assignment,
    outcome: Outcome,
    actor: str,
    now: datetime,
    *,
    answered: Answered | None = None,
) -> None:
    """Close a resolvable assignment with its outcome, in the caller's transaction: the
    supervisor's API and the officer's "3 CODE OUTCOME" both end here."""
    await close_assignment(
        conn,
        incident,
        assigned,
        "resolved",
        now,
        outcome=outcome,
        answered=answered,
        incident_becomes="resolved",
    )
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
        {"assignment_id": str(assigned.id), "outcome": outcome},
    )
