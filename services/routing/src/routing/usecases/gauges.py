"""Use case: refresh the load and backlog gauges (open cases, escalated, overdue)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from qorgau_contracts import Priority

from routing.db import incidents as incidents_db
from routing.db import roster as roster_db
from routing.metrics import OPEN_CASES, OVERDUE, UNASSIGNED

PRIORITIES: tuple[Priority, ...] = ("danger_now", "high", "standard")


async def refresh_gauges(pool: asyncpg.Pool, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    for district, officer_id, cases in await roster_db.open_cases(pool):
        OPEN_CASES.labels(district, officer_id).set(cases)
    UNASSIGNED.set(await incidents_db.unassigned_escalated(pool))
    overdue = await incidents_db.overdue_by_priority(pool, now)
    for priority in PRIORITIES:
        OVERDUE.labels(priority).set(overdue.get(priority, 0))
