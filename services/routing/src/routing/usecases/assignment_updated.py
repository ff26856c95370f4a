"""The one builder of `assignment.updated.v1`, and the one way an assignment closes.

Every close goes through `close_assignment`, so notify always learns that an assignment
takes no more replies, and intake's timeline shows each attempt's end and its reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import (
    ASSIGNMENT_UPDATED,
    AssignmentState,
    AssignmentUpdated,
    FactChange,
    Outcome,
    ReplyAnswer,
    ReplyVerdict,
)

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db.incidents import IncidentChange
from routing.domain.cases import Assignment, AssignmentStatus, Incident, IncidentStatus


@dataclass(frozen=True)
class Answered:
    """The reply an update answers, and what routing made of it."""

    reply_id: uuid.UUID
    answer: ReplyAnswer
    verdict: ReplyVerdict


def updated_event(
    incident: Incident,
    assignment: Assignment,
    state: AssignmentState,
    *,
    reason: str | None = None,
    outcome: Outcome | None = None,
    changed: tuple[FactChange, ...] = (),
    answered: Answered | None = None,
    ack_deadline: datetime | None = None,
) -> AssignmentUpdated:
    return AssignmentUpdated(
        producer=SCHEMA,
        correlation_id=incident.correlation_id,
        exercise=incident.exercise,
        assignment_id=assignment.id,
        incident_id=incident.id,
        short_code=incident.short_code,
        attempt=assignment.attempt,
        officer_id=assignment.officer_id,
        purpose=assignment.purpose,
        state=state,
        reason=reason[:200] if reason else None,
        outcome=outcome,
        district=incident.district,
        priority=incident.priority,
        risk_level=incident.risk_level,
        address_line=incident.address_line,
        ack_deadline=(ack_deadline or assignment.ack_deadline) if state == "open" else None,
        changed=changed,
        reply_id=answered.reply_id if answered else None,
        reply_answer=answered.answer if answered else None,
        reply_verdict=answered.verdict if answered else None,
    )


async def publish_update(conn: Connection, event: AssignmentUpdated) -> None:
    """In the caller's transaction."""
    await enqueue(conn, SCHEMA, ASSIGNMENT_UPDATED.name, str(event.incident_id), event)


async def close_assignment(
    conn: Connection,
    incident: Incident,
    assignment: Assignment,
    status: AssignmentStatus,
    now: datetime,
    *,
    reason: str | None = None,
    outcome: Outcome | None = None,
    answered: Answered | None = None,
    incident_becomes: IncidentStatus | None = None,
) -> None:
    """Close (or accept) the assignment and say so, in the caller's transaction; with
    `incident_becomes`, the incident's new status (its reason the outcome) in the same
    statement."""
    change = (
        IncidentChange(incident.id, incident_becomes, outcome)
        if incident_becomes is not None
        else None
    )
    await assignments_db.close(
        conn, assignment.id, status, now, reason=reason, outcome=outcome, incident=change
    )
    event = updated_event(
        incident, assignment, status, reason=reason, outcome=outcome, answered=answered
    )
    await publish_update(conn, event)
