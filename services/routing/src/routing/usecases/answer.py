"""Use case: an officer answers an assignment: an SMS reply (through notify's
`reply.received.v1`) or the console (`POST /v1/assignments/{id}/reply`).

One rule for every channel (`domain.answers.judge`). `1` accepts and stops escalation, `2`
declines and moves the case on at once, `3` closes it with its outcome. An answer that does
not apply changes nothing. Every reply is answered with `assignment.updated.v1` naming it, so
the officer's confirmation reports what routing did, not what notify assumed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.audit import audit
from qorgau_common.db import Connection
from qorgau_common.errors import Conflict, NotFound
from qorgau_common.inbox import claim_event
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import REPLY_RECEIVED, ReplyReceived, ReplyVerdict

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.domain.answers import OfficerAnswer, judge
from routing.domain.escalation import EscalationPolicy
from routing.metrics import ESCALATIONS, TIME_TO_ACKNOWLEDGE, district_label

from .assign import assign_next
from .assignment_updated import Answered, close_assignment, publish_update, updated_event
from .resolve import resolve_case

log = structlog.get_logger(__name__)

DECLINED_REASON = "declined by the officer"


async def answer_assignment(
    conn: Connection,
    assignment_id: uuid.UUID,
    given: OfficerAnswer,
    policy: EscalationPolicy,
    now: datetime,
    *,
    reply_id: uuid.UUID | None,
    actor: str,
) -> ReplyVerdict | None:
    """Apply the answer in the caller's transaction; its verdict, None for no such
    assignment."""
    found = await assignments_db.locked_with_incident(conn, assignment_id)
    if found is None:
        return None
    assigned, incident = found
    verdict = judge(assigned, given)
    answered = Answered(reply_id, given.answer, verdict) if reply_id is not None else None
    if verdict != "applied":
        log.info("answer changed nothing", verdict=verdict, answer=given.answer)
        if answered is not None:
            await publish_update(
                conn, updated_event(incident, assigned, assigned.status, answered=answered)
            )
        return verdict
    district = district_label(incident.district)
    if given.answer == "acknowledge":
        await close_assignment(
            conn,
            incident,
            assigned,
            "acknowledged",
            now,
            answered=answered,
            incident_becomes="acknowledged",
        )
        TIME_TO_ACKNOWLEDGE.labels(district).observe(
            max(0.0, (now - assigned.created_at).total_seconds())
        )
        log.info("assignment acknowledged", officer_id=assigned.officer_id)
    elif given.answer == "decline":
        await close_assignment(
            conn,
            incident,
            assigned,
            "declined",
            now,
            reason=given.reason or DECLINED_REASON,
            answered=answered,
        )
        ESCALATIONS.labels(district, "declined").inc()
        await assign_next(conn, incident, policy, now)
    else:
        assert given.outcome is not None
        await resolve_case(conn, incident, assigned, given.outcome, actor, now, answered=answered)
        log.info("case resolved by its officer", outcome=given.outcome)
    await audit(
        conn,
        SCHEMA,
        actor,
        f"assignment.{given.answer}",
        incident.id,
        {"assignment_id": str(assigned.id), "channel": given.channel},
    )
    return verdict


async def apply_reply_received(
    pool: asyncpg.Pool, event: ReplyReceived, policy: EscalationPolicy, now: datetime | None = None
) -> ReplyVerdict | None:
    """An SMS reply notify matched to one assignment; once per event."""
    now = now or datetime.now(UTC)
    given = OfficerAnswer(event.officer_id, event.answer, event.outcome, event.channel)
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, REPLY_RECEIVED.name):
            return None
        verdict = await answer_assignment(
            conn,
            event.assignment_id,
            given,
            policy,
            now,
            reply_id=event.reply_id,
            actor=f"sms:{event.officer_id}",
        )
    if verdict is None:
        log.warning("reply for an unknown assignment ignored")
    return verdict


async def reply_from_console(
    pool: asyncpg.Pool,
    assignment_id: uuid.UUID,
    given: OfficerAnswer,
    caller: str,
    policy: EscalationPolicy,
    now: datetime | None = None,
) -> str:
    """The console's answer on an officer's behalf; the assignment's new status.

    Raises NotFound for no such assignment, Conflict if it is not this officer's or no longer
    open; a refused answer changes nothing."""
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        verdict = await answer_assignment(
            conn,
            assignment_id,
            given,
            policy,
            now,
            reply_id=uuid.uuid4(),
            actor=f"{caller}:{given.officer_id}"[:64],
        )
        if verdict is None:
            raise NotFound("assignment_id", "no such assignment")
        if verdict == "not_yours":
            raise Conflict("officer_id", "the assignment is not this officer's")
        if verdict != "applied":
            raise Conflict("assignment_id", f"the assignment is no longer open ({verdict})")
        assigned = await assignments_db.locked(conn, assignment_id)
        assert assigned is not None
    return assigned.status
