"""Use case: notify's view of an alert changed (`alert.updated.v1`).

An officer's acknowledgement closes the case's escalation; a decline or a failed delivery
moves the case to the next officer at once. A late answer to an attempt already moved on,
and any answer to a supervisor's notice, changes nothing but the alert status shown.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.inbox import claim_event
from qorgau_contracts import ALERT_UPDATED, AlertUpdated

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.domain.cases import moved_on_reason, moves_on
from routing.domain.escalation import EscalationPolicy
from routing.metrics import ESCALATIONS, TIME_TO_ACKNOWLEDGE, district_label
from routing.usecases.assign import assign_next

log = structlog.get_logger(__name__)


async def apply_alert_update(
    pool: asyncpg.Pool, event: AlertUpdated, policy: EscalationPolicy, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, SCHEMA, event, ALERT_UPDATED.name):
            return
        assigned = await assignments_db.locked(conn, event.assignment_id)
        if assigned is None:
            log.warning("alert for an unknown assignment ignored", status=event.status)
            return
        await assignments_db.set_alert_status(conn, assigned.id, event.status)
        if not assigned.awaits_answer:
            return
        incident = await incidents_db.locked(conn, assigned.incident_id)
        assert incident is not None
        district = district_label(incident.district)
        if event.status == "acknowledged":
            await assignments_db.close(conn, assigned.id, "acknowledged", now)
            await incidents_db.set_status(conn, incident.id, "acknowledged")
            TIME_TO_ACKNOWLEDGE.labels(district).observe(
                max(0.0, (now - assigned.created_at).total_seconds())
            )
            log.info("assignment acknowledged", officer_id=assigned.officer_id)
        elif (moved := moves_on(event.status)) is not None:
            reason = moved_on_reason(moved, event.reason)
            await assignments_db.close(conn, assigned.id, moved, now, reason=reason)
            ESCALATIONS.labels(district, moved).inc()
            await assign_next(conn, incident, policy, now)
