"""Use case: an incident was reported → assign it to an officer, in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from . import repository as repo
from .domain import NoOfficer, ack_deadline, choose_officer

log = structlog.get_logger(__name__)


async def assign_incident(
    pool: asyncpg.Pool, event: IncidentReported, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if not await repo.claim(conn, event.event_id, INCIDENT_REPORTED.name):
            log.info("duplicate event skipped")
            return
        district, reason = event.district, event.district_unresolved_reason
        if district is not None and not await repo.known_district(conn, district):
            district, reason = None, f"unknown district {district!r}"
        if not await repo.save_incident(conn, event, "routing", reason):
            log.info("incident already routed; republished event ignored")
            return
        await repo.lock_roster(conn)
        decision = choose_officer(
            district, await repo.candidates(conn, now), await repo.neighbours(conn)
        )
        if isinstance(decision, NoOfficer):
            await repo.mark_incident(
                conn, event.incident_id, "unassigned_escalated", decision.reason
            )
            log.error("nobody to assign", reason=decision.reason)
            return
        assigned = await repo.create_assignment(
            conn, event, district, decision, 1, ack_deadline(event.priority, now), now
        )
        await repo.mark_incident(conn, event.incident_id, "assigned", reason)
    log.info(
        "incident assigned",
        officer_id=assigned.officer_id,
        route=decision.route,
        attempt=assigned.attempt,
        priority=assigned.priority,
    )
