"""Reconciliation rounds, with an explicit clock: what routing never answered is queued again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
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


async def test_a_round_republishes_each_incident_once_however_many_batches_it_takes(
    pool: asyncpg.Pool, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a lost log, everything unrouted goes again at once (`older_than_s` 0), in
    batches: an incident republished in this round is not taken again by its next batch
    (it was: the oldest batch went round after round until routing answered it)."""
    from intake.usecases import reconcile as round_module

    monkeypatch.setattr(round_module, "_BATCH", 2)
    incidents = {await submit_directly(database_url, f"102-b{n}") for n in range(5)}
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert await asyncio.wait_for(reconcile(pool, 0, now=later), 10) == 5
    republished = (await outbox_events(database_url))[5:]
    assert sorted(e.incident_id for e in republished) == sorted(incidents)
