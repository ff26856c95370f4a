"""What intake consumes, as named handlers, and what it publishes."""

from __future__ import annotations

import asyncpg
from qorgau_common.routes import EventRoutes, Published
from qorgau_contracts import (
    ALERT_UPDATED,
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    INCIDENT_UNASSIGNED,
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
    IncidentUnassigned,
)

from .usecases.record_progress import (
    record_alert,
    record_assigned,
    record_assignment_updated,
    record_resolved,
    record_unassigned,
)

SERVICE = "intake"
MIGRATIONS = ("qorgau_common", "intake")

ROUTES: EventRoutes[asyncpg.Pool] = EventRoutes()


@ROUTES.on(
    INCIDENT_ASSIGNED,
    IncidentAssigned,
    description="Assignments and supervisor notices go on the incident's timeline.",
    shared=True,
)
async def on_incident_assigned(event: IncidentAssigned, pool: asyncpg.Pool) -> None:
    await record_assigned(pool, event)


@ROUTES.on(
    ALERT_UPDATED,
    AlertUpdated,
    description="SMS submitted, delivered, failed, acknowledged or declined.",
    shared=True,
)
async def on_alert_updated(event: AlertUpdated, pool: asyncpg.Pool) -> None:
    await record_alert(pool, event)


@ROUTES.on(
    INCIDENT_RESOLVED,
    IncidentResolved,
    description="The case closed with its outcome.",
    shared=True,
)
async def on_incident_resolved(event: IncidentResolved, pool: asyncpg.Pool) -> None:
    await record_resolved(pool, event)


@ROUTES.on(
    ASSIGNMENT_UPDATED,
    AssignmentUpdated,
    description="Each attempt's end (acknowledged, declined, expired, reassigned...) with its"
    " officer and reason; acknowledged only when routing recorded it.",
    shared=True,
)
async def on_assignment_updated(event: AssignmentUpdated, pool: asyncpg.Pool) -> None:
    await record_assignment_updated(pool, event)


@ROUTES.on(
    INCIDENT_UNASSIGNED,
    IncidentUnassigned,
    description="Nobody can take the case: shown as waiting for an officer; not republished.",
    shared=True,
)
async def on_incident_unassigned(event: IncidentUnassigned, pool: asyncpg.Pool) -> None:
    await record_unassigned(pool, event)


PUBLISHED = (
    Published(
        INCIDENT_REPORTED,
        IncidentReported,
        "Published through the outbox for every accepted report, for a triaged one, and again"
        " by reconciliation while routing has not answered.",
    ),
)
