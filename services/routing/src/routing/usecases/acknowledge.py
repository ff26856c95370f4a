"""Use case: notify's view of an alert changed (`alert.updated.v1`).

A failed delivery moves the case to the next officer at once. An `acknowledged` or
`declined` alert (published by notify before replies had their own topic) is applied as
the officer's answer, by the same rule as `reply.received.v1`. A late status for an
attempt already moved on, and any status of a supervisor's notice, changes nothing but the
alert status shown.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.unit_of_work import deferred, unit_of_work
from qorgau_contracts import ALERT_UPDATED, AlertStatus, AlertUpdated, ReplyAnswer

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.domain.answers import OfficerAnswer
from routing.domain.cases import moved_on_reason, moves_on, only_shown
from routing.domain.escalation import EscalationPolicy
from routing.metrics import ESCALATIONS, district_label
from routing.usecases.answer import answer_assignment
from routing.usecases.assign import assign_next
from routing.usecases.assignment_updated import close_assignment

log = structlog.get_logger(__name__)


async def apply_alert_update(
    pool: asyncpg.Pool, event: AlertUpdated, policy: EscalationPolicy, now: datetime | None = None
) -> None:
    now = now or datetime.now(UTC)
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, ALERT_UPDATED.name):
            return
        if only_shown(event.status):  # the status, nothing to decide
            await _show(conn, event.assignment_id, event.status)
            return
        assigned = await assignments_db.locked(conn, event.assignment_id)
        if assigned is None:
            _unknown(event.status)
            return
        await _show(conn, assigned.id, event.status)
        if not assigned.awaits_answer:
            return
        if event.status in ("acknowledged", "declined"):
            answer: ReplyAnswer = "acknowledge" if event.status == "acknowledged" else "decline"
            reason = moved_on_reason("declined", event.reason) if answer == "decline" else None
            given = OfficerAnswer(assigned.officer_id, answer, reason=reason)
            actor = f"sms:{assigned.officer_id}"
            await answer_assignment(
                conn, assigned.id, given, policy, now, reply_id=None, actor=actor
            )
            return
        if (moved := moves_on(event.status)) is not None:
            incident = await incidents_db.locked(conn, assigned.incident_id)
            assert incident is not None
            reason = moved_on_reason(moved, event.reason)
            await close_assignment(conn, incident, assigned, moved, now, reason=reason)
            ESCALATIONS.labels(district_label(incident.district), moved).inc()
            await assign_next(conn, incident, policy, now)


async def _show(conn: Connection, assignment_id: uuid.UUID, status: AlertStatus) -> None:
    """The alert status shown for the assignment. In a consumer batch, every status goes in
    one statement at the batch's end, the last one per assignment winning (so a failure
    after a delivery in the same batch still shows `failed`)."""
    batch = deferred("routing.alert_status", _shown_together)
    if batch is None:
        await _shown_together(conn, [(assignment_id, status)])
    else:
        batch.append((assignment_id, status))


async def _shown_together(conn: Connection, shown: list[tuple[uuid.UUID, AlertStatus]]) -> None:
    last = dict(shown)  # in the batch's order: each assignment's last status
    for unknown in await assignments_db.set_alert_statuses(conn, last):
        _unknown(last[unknown])


def _unknown(status: AlertStatus) -> None:
    log.warning("alert for an unknown assignment ignored", status=status)
