"""Use cases: downstream events (assigned, alert updated, assignment updated, unassigned,
resolved) → the incident timeline."""

from __future__ import annotations

import uuid

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.unit_of_work import deferred, unit_of_work
from qorgau_contracts import (
    ALERT_UPDATED,
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_RESOLVED,
    INCIDENT_UNASSIGNED,
    AlertUpdated,
    AssignmentUpdated,
    Event,
    IncidentAssigned,
    IncidentResolved,
    IncidentUnassigned,
)

from intake.db import SCHEMA
from intake.db import progress as store
from intake.domain.progress import (
    Progress,
    on_alert,
    on_assigned,
    on_assignment_updated,
    on_resolved,
    on_unassigned,
)

log = structlog.get_logger(__name__)


async def _record(
    pool: asyncpg.Pool, event: Event, incident_id: uuid.UUID, topic: str, progress: Progress
) -> None:
    # Any answer from routing (an assignment, a notice to the supervisor, or "nobody can
    # take it") means the incident reached it, so reconciliation stops republishing it.
    routed = topic in (INCIDENT_ASSIGNED.name, INCIDENT_UNASSIGNED.name)
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, topic):
            return  # already recorded
        noted = store.Noted(incident_id, progress.entry, progress.detail, progress.status, routed)
        batch = deferred("intake.progress", _record_together)
        if batch is None:
            await _record_together(conn, [noted])
        else:  # a consumer batch: recorded with the rest of it, in one statement
            batch.append(noted)


async def _record_together(conn: Connection, noted: list[store.Noted]) -> None:
    known = await store.record(conn, noted)
    for one in noted:
        if one.incident_id not in known:
            _unknown(one.entry)


def _unknown(entry: str) -> None:
    log.warning("event for an incident intake does not know; ignored", entry=entry)


async def record_assigned(pool: asyncpg.Pool, event: IncidentAssigned) -> None:
    await _record(pool, event, event.incident_id, INCIDENT_ASSIGNED.name, on_assigned(event))


async def record_alert(pool: asyncpg.Pool, event: AlertUpdated) -> None:
    await _record(pool, event, event.incident_id, ALERT_UPDATED.name, on_alert(event))


async def record_resolved(pool: asyncpg.Pool, event: IncidentResolved) -> None:
    await _record(pool, event, event.incident_id, INCIDENT_RESOLVED.name, on_resolved(event))


async def record_assignment_updated(pool: asyncpg.Pool, event: AssignmentUpdated) -> None:
    progress = on_assignment_updated(event)
    await _record(pool, event, event.incident_id, ASSIGNMENT_UPDATED.name, progress)


async def record_unassigned(pool: asyncpg.Pool, event: IncidentUnassigned) -> None:
    await _record(pool, event, event.incident_id, INCIDENT_UNASSIGNED.name, on_unassigned(event))
