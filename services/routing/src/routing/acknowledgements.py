"""Use case: notify's view of an alert changed → stop escalating, or move the case on."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_contracts import ALERT_UPDATED, AlertUpdated

from . import repository as repo
from .assign import assign_next
from .domain import EscalationPolicy
from .metrics import ESCALATIONS, TIME_TO_ACKNOWLEDGE, district_label

log = structlog.get_logger(__name__)

# A failed delivery moves on at once, without waiting for the deadline.
MOVES_ON = {"declined": "declined", "failed": "failed"}


async def on_alert_updated(
    pool: asyncpg.Pool, event: AlertUpdated, policy: EscalationPolicy, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if not await repo.claim(conn, event, ALERT_UPDATED.name):
            return
        assigned = await repo.assignment(conn, event.assignment_id)
        if assigned is None:
            log.warning("alert for an unknown assignment ignored", status=event.status)
            return
        await repo.set_alert_status(conn, assigned.id, event.status)
        if assigned.purpose != "assignment" or assigned.status != "open":
            return  # notices are not escalated; a late answer changes nothing
        incident = await repo.incident(conn, assigned.incident_id)
        assert incident is not None
        if event.status == "acknowledged":
            await repo.close_assignment(conn, assigned.id, "acknowledged")
            await repo.mark_incident(conn, incident.id, "acknowledged")
            TIME_TO_ACKNOWLEDGE.labels(district_label(incident.district)).observe(
                max(0.0, (now - assigned.created_at).total_seconds())
            )
            log.info("assignment acknowledged", officer_id=assigned.officer_id)
        elif event.status in MOVES_ON:
            reason = f"{event.status}: {event.reason}" if event.reason else event.status
            await repo.close_assignment(conn, assigned.id, MOVES_ON[event.status], reason=reason)
            ESCALATIONS.labels(district_label(incident.district), event.status).inc()
            await assign_next(conn, incident, policy, now)
