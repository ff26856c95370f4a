"""Use cases: assign a reported incident, and move a case on to the next officer."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from . import repository as repo
from . import roster_store as roster
from .domain import Chosen, EscalationPolicy, Exhausted, next_officer, supervisor_to_tell
from .metrics import ESCALATIONS, TIME_TO_ASSIGN, district_label

log = structlog.get_logger(__name__)


async def assign_next(
    conn: Connection,
    incident: repo.Incident,
    policy: EscalationPolicy,
    now: datetime,
    *,
    chosen: Chosen | None = None,
) -> Chosen | Exhausted:
    """Give the case to the next officer (attempt n+1), or escalate it to the board.

    Runs in the caller's transaction, under the roster lock. `chosen` forces the officer
    (a supervisor's reassignment). The duty supervisor is told at the second attempt and
    when nobody is left.
    """
    await repo.lock_roster(conn)
    last, tried = await repo.attempts_so_far(conn, incident.id)
    attempt = last + 1
    pool = await roster.candidates(conn, now)
    outcome = chosen or next_officer(
        incident.district, pool, await roster.neighbours(conn), tried, attempt, policy
    )
    deadline = policy.ack_deadline(incident.priority, now)  # type: ignore[arg-type]
    if isinstance(outcome, Chosen):
        await repo.create_assignment(
            conn,
            incident,
            outcome.officer_id,
            attempt=attempt,
            route=outcome.route,
            ack_deadline=deadline,
            now=now,
        )
        await repo.mark_incident(conn, incident.id, "assigned")
        if attempt == 1:
            TIME_TO_ASSIGN.labels(district_label(incident.district)).observe(
                max(0.0, (now - incident.received_at).total_seconds())
            )
        log.info(
            "incident assigned", officer_id=outcome.officer_id, route=outcome.route, attempt=attempt
        )
    else:
        await repo.mark_incident(conn, incident.id, "unassigned_escalated", outcome.reason)
        ESCALATIONS.labels(district_label(incident.district), "exhausted").inc()
        log.error(
            "nobody to assign; escalated to the board", reason=outcome.reason, attempt=attempt
        )
    supervisor = supervisor_to_tell(outcome, attempt, pool, policy)
    if supervisor is not None:
        await repo.create_assignment(
            conn,
            incident,
            supervisor,
            attempt=attempt,
            route="notice",
            ack_deadline=deadline,
            now=now,
            purpose="supervisor_notice",
        )
        log.info("duty supervisor told", supervisor_id=supervisor, attempt=attempt)
    return outcome


async def assign_incident(
    pool: asyncpg.Pool,
    event: IncidentReported,
    policy: EscalationPolicy,
    now: datetime | None = None,
) -> None:
    now = now or datetime.now(UTC)
    async with pool.acquire() as conn, conn.transaction():
        if not await repo.claim(conn, event, INCIDENT_REPORTED.name):
            log.info("duplicate event skipped")
            return
        district, reason = event.district, event.district_unresolved_reason
        if district is not None and district not in await roster.district_ids(conn):
            district, reason = None, f"unknown district {district!r}"
        if not await repo.save_incident(conn, event, district, reason):
            await _retriaged(conn, event, district, policy, now)
            return
        incident = await repo.incident(conn, event.incident_id)
        assert incident is not None
        await assign_next(conn, incident, policy, now)


async def _retriaged(
    conn: Connection,
    event: IncidentReported,
    district: str | None,
    policy: EscalationPolicy,
    now: datetime,
) -> None:
    """A known incident reported again: a reconciliation republish, or a triage result.

    A district found later moves a case that only the supervisor holds, and nobody has
    accepted, to the district's officers; otherwise only the record is updated.
    """
    known = await repo.incident(conn, event.incident_id)
    assert known is not None
    found_district = known.district is None and district is not None
    await repo.update_triage(conn, known.id, district, event.priority, event.risk_level)
    if not found_district or known.status in ("acknowledged", "resolved"):
        log.info("incident already routed; republished event recorded")
        return
    for current in await repo.open_assignments(conn, known.id):
        if current.status == "acknowledged":
            return
        await repo.close_assignment(conn, current.id, "reassigned", reason="district found")
    refreshed = await repo.incident(conn, known.id)
    assert refreshed is not None
    log.info("district found after triage; routing to the district", district=district)
    await assign_next(conn, refreshed, policy, now)
