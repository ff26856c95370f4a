"""Use case: record an alert once per assignment, failing it at once if its phone is bad."""

from __future__ import annotations

import uuid

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import INCIDENT_ASSIGNED, IncidentAssigned

from notify.db import SCHEMA
from notify.db.alerts import alert_reason, get_alert, insert_alert
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import alert_updated
from notify.domain.phones import phone_problem
from notify.metrics import ALERTS

log = structlog.get_logger(__name__)


async def answer_again(conn: Connection, alert_id: uuid.UUID) -> bool:
    """Routing said an assignment again (a new event id, a known assignment): it has not
    seen this alert's status, so publish it again; False if there is none yet (pending or
    being sent: the send, or the sweeper, will publish it)."""
    alert = await get_alert(conn, alert_id)
    assert alert is not None
    status = alert.status
    if status == "pending" or status == "sending":
        return False
    reason = await alert_reason(conn, alert_id)
    await enqueue_alert_updated(conn, alert_updated(alert, status, reason=reason))
    log.info("assignment said again; alert status republished", alert_id=str(alert_id))
    return True


async def record_alert(pool: asyncpg.Pool, event: IncidentAssigned) -> uuid.UUID | None:
    """The new alert's id, to send; None if there is nothing to send now: the event was
    already handled (a redelivery), or the officer's phone cannot get an SMS."""
    problem = phone_problem(event.officer_phone)
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, INCIDENT_ASSIGNED.name):
            return None
        alert_id, created = await insert_alert(conn, event, problem)
        if not created and await answer_again(conn, alert_id):
            return None
        if problem is None:
            return alert_id
        if created:
            alert = await get_alert(conn, alert_id)
            assert alert is not None
            await enqueue_alert_updated(conn, alert_updated(alert, "failed", reason=problem))
    if created:
        ALERTS.labels("failed").inc()
        log.warning("alert failed", reason=problem, alert_id=str(alert_id))
    return None
