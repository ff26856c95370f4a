"""Use case: open assignments past their ack deadline move to the next officer.

Deadlines live in PostgreSQL, so a restart loses none; `FOR UPDATE SKIP LOCKED` lets
several routing processes share the work without escalating a case twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog

from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.domain.escalation import EscalationPolicy
from routing.metrics import ESCALATIONS, district_label
from routing.usecases.assign import assign_next
from routing.usecases.assignment_updated import close_assignment

log = structlog.get_logger(__name__)


async def escalate_due(
    pool: asyncpg.Pool, policy: EscalationPolicy, now: datetime | None = None, batch: int = 10
) -> int:
    """Escalate up to `batch` overdue assignments, in one transaction; how many there were."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        due = await assignments_db.due(conn, now, batch)
        for assigned in due:
            incident = await incidents_db.locked(conn, assigned.incident_id)
            assert incident is not None
            await close_assignment(
                conn, incident, assigned, "expired", now, reason="ack deadline missed"
            )
            ESCALATIONS.labels(district_label(incident.district), "expired").inc()
            log.warning(
                "ack deadline missed",
                officer_id=assigned.officer_id,
                attempt=assigned.attempt,
                incident_id=str(incident.id),
            )
            await assign_next(conn, incident, policy, now)
    return len(due)


async def escalate_all_due(
    pool: asyncpg.Pool, policy: EscalationPolicy, now: datetime | None = None
) -> int:
    """One escalator round: batches until nothing is overdue; how many were escalated."""
    total = 0
    while (escalated := await escalate_due(pool, policy, now)) > 0:
        total += escalated
    return total
