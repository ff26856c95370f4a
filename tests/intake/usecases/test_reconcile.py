"""Reconciliation rounds, with an explicit clock: what routing never answered is queued again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
from intake.metrics import REPUBLISHED
from intake.usecases.reconcile import reconcile
from intake.usecases.record_progress import record_assigned

from tests import factories
from tests.intake.support import fetch, outbox_events, submit_directly


async def test_reconciliation_republishes_unrouted_incidents_once_per_period(
    pool: asyncpg.Pool, database_url: str
) -> None:
    waiting = await submit_directly(database_url, "102-r1")
    routed = await submit_directly(database_url, "102-r2")
    triage = await submit_directly(database_url, "102-r3", district=None)
    await record_assigned(pool, factories.assigned(incident_id=routed, correlation_id=routed))
    before = REPUBLISHED._value.get()
    now = datetime.now(UTC)
    later = now + timedelta(seconds=61)
    assert await reconcile(pool, 60, now=now) == 0  # too early
    assert await reconcile(pool, 60, now=later) == 2
    assert await reconcile(pool, 60, now=later + timedelta(seconds=10)) == 0
    assert await reconcile(pool, 60, now=later + timedelta(seconds=61)) == 2
    assert REPUBLISHED._value.get() - before == 4

    events = await outbox_events(database_url)
    assert len(events) == 3 + 4
    republished = events[3:]
    assert {e.incident_id for e in republished} == {waiting, triage}
    assert len({e.event_id for e in events}) == len(events)  # each republish is a new event
    first = next(e for e in events if e.incident_id == waiting)
    again = next(e for e in republished if e.incident_id == waiting)
    assert again.model_dump(exclude={"event_id", "occurred_at"}) == first.model_dump(
        exclude={"event_id", "occurred_at"}
    )
    lines = await fetch(
        database_url,
        "SELECT count(*) AS n FROM intake.incident_timeline WHERE status = 'republished'",
    )
    assert lines[0]["n"] == 4


async def test_an_assigned_incident_is_never_republished(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit_directly(database_url, "102-r4")
    await record_assigned(pool, factories.assigned(incident_id=incident_id))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert await reconcile(pool, 60, now=later) == 0
