"""What routing consumes, as named handlers, and what it publishes."""

from __future__ import annotations

from qorgau_common.routes import EventRoutes, Published
from qorgau_contracts import (
    ALERT_UPDATED,
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    INCIDENT_UNASSIGNED,
    REPLY_RECEIVED,
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    IncidentReported,
    IncidentResolved,
    IncidentUnassigned,
    ReplyReceived,
)

from .deps import RoutingDeps
from .usecases.acknowledge import apply_alert_update
from .usecases.answer import apply_reply_received
from .usecases.assign import assign_incident

SERVICE = "routing"
MIGRATIONS = ("qorgau_common", "routing")

ROUTES: EventRoutes[RoutingDeps] = EventRoutes()


@ROUTES.on(
    INCIDENT_REPORTED,
    IncidentReported,
    description="Assign each reported incident to an on-shift officer.",
    shared=True,
)
async def on_incident_reported(event: IncidentReported, deps: RoutingDeps) -> None:
    await assign_incident(deps.pool, event, deps.policy)


@ROUTES.on(
    ALERT_UPDATED,
    AlertUpdated,
    description="An acknowledgement stops escalation; a decline or failed delivery moves the"
    " case to the next officer at once.",
    shared=True,
)
async def on_alert_updated(event: AlertUpdated, deps: RoutingDeps) -> None:
    await apply_alert_update(deps.pool, event, deps.policy)


@ROUTES.on(
    REPLY_RECEIVED,
    ReplyReceived,
    description="An officer's SMS reply (1, 2, 3 CODE OUTCOME) matched to one assignment:"
    " applied by the same rule as the console's answer, and answered on assignment.updated.v1.",
    shared=True,
)
async def on_reply_received(event: ReplyReceived, deps: RoutingDeps) -> None:
    await apply_reply_received(deps.pool, event, deps.policy)


PUBLISHED = (
    Published(
        INCIDENT_ASSIGNED,
        IncidentAssigned,
        "Each assignment and supervisor notice, via the outbox.",
    ),
    Published(
        INCIDENT_RESOLVED, IncidentResolved, "A case closed with its outcome, via the outbox."
    ),
    Published(
        ASSIGNMENT_UPDATED,
        AssignmentUpdated,
        "Every close of an assignment, routing's answer to each reply, and facts learnt later.",
    ),
    Published(
        INCIDENT_UNASSIGNED,
        IncidentUnassigned,
        "Nobody can take the incident: it waits on the board, with the reason.",
    ),
)
