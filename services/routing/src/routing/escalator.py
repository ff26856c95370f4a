"""The deadline scheduler: open assignments past their ack deadline move to the next officer.

Deadlines live in PostgreSQL, so a restart loses none; `FOR UPDATE SKIP LOCKED` lets
several routing processes share the work without escalating a case twice.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.consumer import INFRASTRUCTURE_ERRORS

from . import repository as repo
from .assign import assign_next
from .domain import EscalationPolicy
from .metrics import ESCALATIONS, OPEN_CASES, OVERDUE, UNASSIGNED, district_label

log = structlog.get_logger(__name__)


async def escalate_due(
    pool: asyncpg.Pool, policy: EscalationPolicy, now: datetime | None = None, batch: int = 10
) -> int:
    """Escalate up to `batch` overdue assignments; how many were escalated."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        due = await repo.due_assignments(conn, now, batch)
        for assigned in due:
            incident = await repo.incident(conn, assigned.incident_id)
            assert incident is not None
            await repo.close_assignment(conn, assigned.id, "expired", reason="ack deadline missed")
            ESCALATIONS.labels(district_label(incident.district), "expired").inc()
            log.warning(
                "ack deadline missed",
                officer_id=assigned.officer_id,
                attempt=assigned.attempt,
                incident_id=str(incident.id),
            )
            await assign_next(conn, incident, policy, now)
    return len(due)


async def refresh_gauges(pool: asyncpg.Pool) -> None:
    rows = await pool.fetch(
        """
        SELECT o.id, o.home_district,
               count(a.id) FILTER (WHERE a.status IN ('open', 'acknowledged')
                                   AND a.purpose = 'assignment') AS open_cases
        FROM routing.officers o LEFT JOIN routing.assignments a ON a.officer_id = o.id
        GROUP BY o.id
        """
    )
    for r in rows:
        OPEN_CASES.labels(r["home_district"], r["id"]).set(r["open_cases"])
    UNASSIGNED.set(
        await pool.fetchval(
            "SELECT count(*) FROM routing.incidents WHERE status = 'unassigned_escalated'"
        )
    )
    rows = await pool.fetch(
        """
            SELECT i.priority, count(*) FROM routing.incidents i
            WHERE i.status IN ('routing', 'assigned', 'unassigned_escalated')
              AND EXISTS (SELECT 1 FROM routing.assignments a
                          WHERE a.incident_id = i.id AND a.purpose = 'assignment'
                            AND a.attempt = 1 AND a.ack_deadline < now())
            GROUP BY i.priority
            """
    )
    overdue: dict[str, int] = {r["priority"]: r["count"] for r in rows}
    for priority in ("danger_now", "high", "standard"):
        OVERDUE.labels(priority).set(overdue.get(priority, 0))


async def run_escalator(pool: asyncpg.Pool, policy: EscalationPolicy, every_s: float) -> None:
    """Until cancelled: escalate what is due, refresh the load gauges, sleep."""
    while True:
        try:
            while await escalate_due(pool, policy) > 0:
                pass
            await refresh_gauges(pool)
        except INFRASTRUCTURE_ERRORS as exc:
            log.warning("escalation round failed; will retry", error=type(exc).__name__)
        except Exception as exc:  # a bug must not stop escalation for every other case
            log.error("escalation round failed", error=repr(exc))
        await asyncio.sleep(every_s)
