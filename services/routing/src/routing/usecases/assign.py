"""Use cases: assign a reported incident, and give a case to its next officer.

`assign_next` is the one step for the first assignment, every escalation and a supervisor's
reassignment; it builds `incident.assigned.v1` for the officer and for the duty supervisor.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.outbox import enqueue
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import (
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    AssignmentPurpose,
    IncidentReported,
)

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.db import roster as roster_db
from routing.domain.cases import AssignmentRoute, Incident
from routing.domain.escalation import EscalationPolicy
from routing.domain.late_facts import changed_facts
from routing.domain.policy import Chosen, Exhausted, next_officer, supervisor_to_tell
from routing.metrics import ESCALATIONS, TIME_TO_ASSIGN, district_label

from .assignment_updated import close_assignment
from .incident_assigned import assigned_event
from .incident_unassigned import publish_unassigned
from .late_facts import tell_late_facts
from .reconcile import republish_current

log = structlog.get_logger(__name__)


async def assign_incident(
    pool: asyncpg.Pool,
    event: IncidentReported,
    policy: EscalationPolicy,
    now: datetime | None = None,
) -> None:
    """A report: record the incident and give it to its first officer, once per event."""
    now = now or datetime.now(UTC)
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, INCIDENT_REPORTED.name):
            log.info("duplicate event skipped")
            return
        district, reason = event.district, event.district_unresolved_reason
        neighbours = await roster_db.neighbours(conn)  # keyed by every district routing knows
        if district is not None and district not in neighbours:
            district, reason = None, f"unknown district {district!r}"
        incident = await incidents_db.insert(conn, event, district, reason)
        if incident is None:
            await _reported_again(conn, event, district, policy, now)
            return
        await assign_next(conn, incident, policy, now, new=True, neighbours=neighbours)


async def _reported_again(
    conn: Connection,
    event: IncidentReported,
    district: str | None,
    policy: EscalationPolicy,
    now: datetime,
) -> None:
    """A known incident reported again: a reconciliation republish, or a triage result.

    A district found later moves a case nobody has accepted to the district's officers.
    A priority or risk rise or a new address reaches the officers holding the case (a
    shorter deadline, an update SMS); otherwise only the record is updated.
    """
    known = await incidents_db.locked(conn, event.incident_id)
    assert known is not None
    changes = changed_facts(known, district, event.priority, event.risk_level, event.address_line)
    found_district = "district" in changes
    await incidents_db.update_triage(
        conn, known.id, district, event.priority, event.risk_level, event.address_line
    )
    if changes and known.status != "resolved" and not (found_district and not known.settled):
        await tell_late_facts(conn, known.id, changes, policy, now)
    if not found_district or known.settled:
        # Intake's reconciliation asks again while it has heard nothing (or triage updated
        # the record): say again what routing decided, so the question leads to progress.
        await republish_current(conn, known, policy.redeliver_after.total_seconds(), now)
        return
    live = await assignments_db.live(conn, known.id)
    if any(current.status == "acknowledged" for current in live):
        return
    refreshed = await incidents_db.locked(conn, known.id)
    assert refreshed is not None
    for current in live:
        await close_assignment(conn, refreshed, current, "reassigned", now, reason="district found")
    log.info("district found after triage; routing to the district", district=district)
    await assign_next(conn, refreshed, policy, now)


async def assign_next(
    conn: Connection,
    incident: Incident,
    policy: EscalationPolicy,
    now: datetime,
    *,
    chosen: Chosen | None = None,
    new: bool = False,
    neighbours: Mapping[str, Sequence[str]] | None = None,
) -> Chosen | Exhausted:
    """Give the case to the next officer (attempt n+1), or escalate it to the board.

    Runs in the caller's transaction, under the roster lock. `chosen` forces the officer
    (a supervisor's reassignment). `new` says the incident was inserted just now, so it has
    no attempt yet; `neighbours`, that the caller read the districts already. The duty
    supervisor is told at the second attempt and when nobody is left.
    """
    await assignments_db.lock_roster(conn)
    last, tried = (
        (0, frozenset()) if new else await assignments_db.attempts_so_far(conn, incident.id)
    )
    if neighbours is None:
        neighbours = await roster_db.neighbours(conn)
    attempt = last + 1
    candidates = await roster_db.candidates(conn, now)
    outcome = chosen or next_officer(
        incident.district, candidates, neighbours, tried, attempt, policy
    )
    deadline = policy.ack_deadline(incident.priority, now)
    if isinstance(outcome, Chosen):
        await _give(conn, incident, outcome.officer_id, attempt, outcome.route, deadline, now)
        if attempt == 1:
            TIME_TO_ASSIGN.labels(district_label(incident.district)).observe(
                max(0.0, (now - incident.received_at).total_seconds())
            )
        log.info(
            "incident assigned", officer_id=outcome.officer_id, route=outcome.route, attempt=attempt
        )
    else:
        await incidents_db.set_status(conn, incident.id, "unassigned_escalated", outcome.reason)
        ESCALATIONS.labels(district_label(incident.district), "exhausted").inc()
        log.error(
            "nobody to assign; escalated to the board", reason=outcome.reason, attempt=attempt
        )
    supervisor = supervisor_to_tell(outcome, attempt, candidates, policy)
    if supervisor is not None:
        await _give(conn, incident, supervisor, attempt, "notice", deadline, now)
        log.info("duty supervisor told", supervisor_id=supervisor, attempt=attempt)
    if isinstance(outcome, Exhausted):
        await publish_unassigned(
            conn, incident, last, outcome.reason, supervisor_told=supervisor is not None
        )
    return outcome


async def _give(
    conn: Connection,
    incident: Incident,
    officer_id: str,
    attempt: int,
    route: AssignmentRoute,
    ack_deadline: datetime,
    now: datetime,
) -> None:
    """The assignment (or, by the `notice` route, the supervisor's copy) and its event; an
    assignment makes its incident `assigned`."""
    assignment_id = uuid.uuid4()
    purpose: AssignmentPurpose = "supervisor_notice" if route == "notice" else "assignment"
    given = await assignments_db.give(
        conn,
        assignment_id,
        incident.id,
        officer_id,
        attempt=attempt,
        route=route,
        ack_deadline=ack_deadline,
        purpose=purpose,
        now=now,
    )
    written = given.written
    event = assigned_event(
        incident,
        assignment_id,
        officer_id=officer_id,
        phone=given.phone,
        language=given.language,
        attempt=attempt,
        ack_deadline=ack_deadline,
        purpose=purpose,
    )
    if purpose == "assignment":
        if written:
            roster_db.assigned(officer_id, now)
        else:
            roster_db.forget()
    if not written:
        log.info("supervisor already told at this attempt", attempt=attempt)
        return
    await enqueue(conn, SCHEMA, INCIDENT_ASSIGNED.name, str(incident.id), event)
