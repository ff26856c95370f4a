"""What notify consumes, as named handlers, and what it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import asyncpg
from qorgau_common.routes import EventRoutes, Published
from qorgau_common.unit_of_work import after_commit
from qorgau_contracts import (
    ALERT_UPDATED,
    ASSIGNMENT_UPDATED,
    INCIDENT_ASSIGNED,
    REPLY_RECEIVED,
    AlertUpdated,
    AssignmentUpdated,
    IncidentAssigned,
    ReplyReceived,
)

from .usecases.follow_assignment import follow_assignment
from .usecases.record_alert import record_alert
from .usecases.send_window import SendWindow

SERVICE = "notify"
MIGRATIONS = ("qorgau_common", "notify")


@dataclass(frozen=True)
class NotifyDeps:
    pool: asyncpg.Pool
    window: SendWindow


ROUTES: EventRoutes[NotifyDeps] = EventRoutes()


@ROUTES.on(
    INCIDENT_ASSIGNED,
    IncidentAssigned,
    description="Send the assigned officer an SMS, once per assignment.",
    shared=True,
)
async def on_incident_assigned(event: IncidentAssigned, deps: NotifyDeps) -> None:
    # Idempotent: a redelivery finds the alert, and only a pending one is claimed. The send
    # starts once the alert's row has committed (after the whole batch, in a shared one).
    alert_id = await record_alert(deps.pool, event)
    if alert_id is not None:
        await after_commit(partial(deps.window.dispatch, alert_id))


@ROUTES.on(
    ASSIGNMENT_UPDATED,
    AssignmentUpdated,
    description="Routing closed, accepted or updated an assignment, or answered a reply:"
    " the alert stops taking replies, the officer gets the confirmation or an update SMS.",
    shared=True,
)
async def on_assignment_updated(event: AssignmentUpdated, deps: NotifyDeps) -> None:
    window = deps.window
    await follow_assignment(deps.pool, window.sending.routes, event, start=window.start_notice)


PUBLISHED = (
    Published(
        ALERT_UPDATED,
        AlertUpdated,
        "Published through the outbox whenever an alert's status changes.",
    ),
    Published(
        REPLY_RECEIVED,
        ReplyReceived,
        "An officer's reply matched to one assignment, for routing to decide.",
    ),
)
