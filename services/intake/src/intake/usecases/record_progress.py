"""Use cases: downstream events (assigned, alert updated, resolved) → the incident timeline."""

from __future__ import annotations

import uuid

import asyncpg
import structlog
from qorgau_common.inbox import claim_event
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_RESOLVED,
    AlertUpdated,
    Event,
    IncidentAssigned,
    IncidentResolved,
)

from intake.db import SCHEMA, routing_state, timeline
from intake.db import incidents as store
from intake.domain.progress import Progress, advance, on_alert, on_assigned, on_resolved

log = structlog.get_logger(__name__)


async def _record(
    pool: asyncpg.Pool, event: Event, incident_id: uuid.UUID, topic: str, progress: Progress
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if not await claim_event(conn, SCHEMA, event, topic):
            return  # already recorded
        incident = await store.get(conn, incident_id, lock=True)
        if incident is None:
            log.warning("event for an incident intake does not know; ignored", topic=topic)
            return
        await timeline.add(conn, incident_id, progress.entry, progress.detail)
        # Any answer from routing (an assignment or a notice to the supervisor) means the
        # incident reached it, so reconciliation stops republishing it.
        routed = topic == INCIDENT_ASSIGNED.name
        status = advance(incident.status, progress.status)
        await routing_state.set_status(conn, incident_id, status, routed=routed)


async def record_assigned(pool: asyncpg.Pool, event: IncidentAssigned) -> None:
    await _record(pool, event, event.incident_id, INCIDENT_ASSIGNED.name, on_assigned(event))


async def record_alert(pool: asyncpg.Pool, event: AlertUpdated) -> None:
    await _record(pool, event, event.incident_id, ALERT_UPDATED.name, on_alert(event))


async def record_resolved(pool: asyncpg.Pool, event: IncidentResolved) -> None:
    await _record(pool, event, event.incident_id, INCIDENT_RESOLVED.name, on_resolved(event))
