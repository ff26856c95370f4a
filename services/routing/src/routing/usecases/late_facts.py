"""Use case: facts learnt after routing reach the officers holding the case.

A priority rise shortens an open deadline (never lengthens it); every live assignment
(open or accepted) gets `assignment.updated.v1` listing what changed, and notify texts the
officer a short update. Runs in the caller's transaction, after the record was updated.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog
from qorgau_common.db import Connection
from qorgau_contracts import FactChange

from routing.db import assignments as assignments_db
from routing.db import incidents as incidents_db
from routing.domain.escalation import EscalationPolicy
from routing.domain.late_facts import shortened_deadline

from .assignment_updated import publish_update, updated_event

log = structlog.get_logger(__name__)


async def tell_late_facts(
    conn: Connection,
    incident_id: uuid.UUID,
    changes: tuple[FactChange, ...],
    policy: EscalationPolicy,
    now: datetime,
) -> int:
    """Tell each live assignment's officer; how many were told."""
    incident = await incidents_db.locked(conn, incident_id)
    assert incident is not None
    live = await assignments_db.live(conn, incident_id)
    for current in live:
        told = changes
        deadline = current.ack_deadline
        if current.status == "open" and "priority" in changes and deadline is not None:
            shorter = shortened_deadline(deadline, incident.priority, policy, now)
            if shorter < deadline:
                await assignments_db.set_deadline(conn, current.id, shorter)
                deadline, told = shorter, (*changes, "ack_deadline")
        event = updated_event(
            incident, current, current.status, changed=told, ack_deadline=deadline
        )
        await publish_update(conn, event)
    if live:
        log.info("late facts sent to the officers holding the case", changes=list(changes))
    return len(live)
