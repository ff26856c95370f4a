"""Reconciliation: republish incidents nobody has routed, so a lost event is not a lost report.

PostgreSQL is the truth and Kafka the transport: an incident still `reported` or
`awaiting_triage` with no answer from routing after a while is published again (a new
event id, the same incident id). Routing ignores an incident it already has.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_contracts import Coordinates, IncidentReported

from . import progress_store as store
from . import repository as repo
from .metrics import REPUBLISHED

log = structlog.get_logger(__name__)

_BATCH = 200


def reported_event_from_row(row: asyncpg.Record) -> IncidentReported:
    coordinates = Coordinates(lat=row["lat"], lon=row["lon"]) if row["lat"] is not None else None
    return IncidentReported(
        producer=repo.SCHEMA,
        correlation_id=row["id"],
        exercise=row["exercise"],
        incident_id=row["id"],
        short_code=row["short_code"],
        channel=row["channel"],
        received_at=row["received_at"],
        district=row["district"],
        district_unresolved_reason=row["district_unresolved_reason"],
        address_line=row["address_line"],
        coordinates=coordinates,
        priority=row["priority"],
        risk_level=row["risk_level"],
        risk_flags=tuple(row["risk_flags"]),
        linked_incident_ids=tuple(row["linked_incident_ids"]),
    )


async def reconcile(pool: asyncpg.Pool, older_than_s: float, now: datetime | None = None) -> int:
    """Republish every unrouted incident last published over `older_than_s` ago; how many."""
    now = now or datetime.now(UTC)
    total = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            rows = await store.claim_unrouted(conn, now, older_than_s, _BATCH)
            for row in rows:
                await repo.publish_reported(conn, reported_event_from_row(row))
                await store.mark_republished(conn, row["id"], now)
                await repo.add_timeline(conn, row["id"], "republished", {})
        total += len(rows)
        if len(rows) < _BATCH:
            break
    if total:
        REPUBLISHED.inc(total)
        log.warning("unrouted incidents republished", count=total)
    return total


async def run_reconciler(pool: asyncpg.Pool, after_s: float, interval_s: float) -> None:
    """Every `interval_s`, republish what waited over `after_s`; until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await reconcile(pool, after_s)
        except Exception as exc:  # database down: the next round retries
            log.warning("reconciliation failed; will retry", error=repr(exc))
