"""What intake consumes, as named handlers, and what it publishes."""

from __future__ import annotations

import asyncpg
from qorgau_common.routes import EventRoutes, Published
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    AlertUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
)

from .usecases.record_progress import record_alert, record_assigned, record_resolved

SERVICE = "intake"
MIGRATIONS = ("qorgau_common", "intake")

ROUTES: EventRoutes[asyncpg.Pool] = EventRoutes()


@ROUTES.on(
    INCIDENT_ASSIGNED,
    IncidentAssigned,
    description="Assignments and supervisor notices go on the incident's timeline.",
)
async def on_incident_assigned(event: IncidentAssigned, pool: asyncpg.Pool) -> None:
    await record_assigned(pool, event)


@ROUTES.on(
    ALERT_UPDATED,
    AlertUpdated,
    description="SMS submitted, delivered, failed, acknowledged or declined.",
)
async def on_alert_updated(event: AlertUpdated, pool: asyncpg.Pool) -> None:
    await record_alert(pool, event)


@ROUTES.on(INCIDENT_RESOLVED, IncidentResolved, description="The case closed with its outcome.")
async def on_incident_resolved(event: IncidentResolved, pool: asyncpg.Pool) -> None:
    await record_resolved(pool, event)


PUBLISHED = (
    Published(
        INCIDENT_REPORTED,
        IncidentReported,
        "Published through the outbox for every accepted report, for a triaged one, and again"
        " by reconciliation while routing has not answered.",
    ),
)
