"""Reconciliation: republish incidents nobody has routed, so a lost event is not a lost report.

PostgreSQL is the truth and Kafka the transport: an incident still `reported` or
`awaiting_triage` with no answer from routing after a while is published again (a new
event id, the same incident id). Routing ignores an incident it already has. `main` runs
one round every `reconcile_interval_s`; `python -m intake reconcile` runs one on demand.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog

from intake.db import routing_state, timeline
from intake.metrics import REPUBLISHED

from .incident_reported import publish_reported

log = structlog.get_logger(__name__)

_BATCH = 200


async def reconcile(pool: asyncpg.Pool, older_than_s: float, now: datetime | None = None) -> int:
    """Republish every unrouted incident last published over `older_than_s` ago; how many."""
    now = now or datetime.now(UTC)
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            unrouted = await routing_state.claim_unrouted(conn, now, older_than_s, _BATCH)
            for incident in unrouted:
                await publish_reported(conn, incident)
                await routing_state.mark_republished(conn, incident.id, now)
                await timeline.add(conn, incident.id, "republished", {})
        total += len(unrouted)
        if len(unrouted) < _BATCH:
            break
    if total:
        REPUBLISHED.inc(total)
        log.warning("unrouted incidents republished", count=total)
    return total
