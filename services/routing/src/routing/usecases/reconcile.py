"""Use case: say an assignment again until notify answers it (routing owns that hop).

PostgreSQL is the truth and Kafka the transport. An open assignment with no alert status
after `older_than_s` (the event, or notify's answer, was lost with the broker) is published
again: the same assignment id under a new event id, so notify sends at most one SMS for it
and answers with its alert's status. A republished `incident.reported.v1` for an incident
routing already has is answered the same way, with its current assignment, so intake's
reconciliation always leads somewhere. Each assignment is republished at most once per
`older_than_s`, so a stage that is catching up is not flooded. `main` runs a round every
`QORGAU_ROUTING_RECONCILE_INTERVAL_S`; `qorgau-admin reconcile` runs one on demand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_ASSIGNED

from routing.db import SCHEMA
from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.db import roster as roster_db
from routing.domain.cases import Incident
from routing.metrics import REPUBLISHED

from .incident_assigned import assigned_event

log = structlog.get_logger(__name__)

_BATCH = 200


async def redeliver_unanswered(
    pool: asyncpg.Pool, older_than_s: float, now: datetime | None = None
) -> int:
    """Republish every open assignment notify has not answered within `older_than_s`."""
    now = now or datetime.now(UTC)
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            batch = await assignments_db.unanswered(conn, now, older_than_s, _BATCH)
            for sent in batch:
                incident = await incidents_db.get(conn, sent.incident_id)
                assert incident is not None
                await _say_again(conn, incident, sent)
            await assignments_db.mark_republished(conn, [s.id for s in batch], now)
        total += len(batch)
        if len(batch) < _BATCH:
            break
    if total:
        REPUBLISHED.labels("unanswered").inc(total)
        log.warning("unanswered assignments republished", count=total)
    return total


async def republish_current(
    conn: Connection, incident: Incident, older_than_s: float, now: datetime
) -> int:
    """An incident reported again: republish what routing last decided for it (its live
    assignments, or its latest notice to the supervisor), unless that went out (first or
    again) within `older_than_s`. Runs in the caller's transaction; how many were republished."""
    current = await assignments_db.current(conn, incident.id)
    due = [sent for sent in current if not sent.said_within(older_than_s, now)]
    for sent in due:
        await _say_again(conn, incident, sent)
    await assignments_db.mark_republished(conn, [s.id for s in due], now)
    if due:
        REPUBLISHED.labels("reported_again").inc(len(due))
        log.info("incident reported again; current assignment republished", count=len(due))
    return len(due)


async def _say_again(conn: Connection, incident: Incident, sent: assignments_db.Sent) -> None:
    officer = await roster_db.officer(conn, sent.officer_id)
    assert officer is not None, f"unknown officer {sent.officer_id}"
    event = assigned_event(
        incident,
        sent.id,
        officer_id=sent.officer_id,
        phone=officer["phone"],
        language=officer["language"],
        attempt=sent.attempt,
        ack_deadline=sent.ack_deadline,
        purpose=sent.purpose,
    )
    await enqueue(conn, SCHEMA, INCIDENT_ASSIGNED.name, str(incident.id), event)
