"""Routing owns redelivery on the routing → notify hop: an assignment notify has not
answered is said again (same assignment id, new event id), at most once per interval; a
report intake republishes is answered with the current assignment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from intake.consumers import MIGRATIONS as INTAKE_MIGRATIONS
from intake.consumers import SERVICE as INTAKE
from qorgau_common.db import migrate
from qorgau_local.admin import reconcile_all
from routing.usecases.acknowledge import apply_alert_update
from routing.usecases.assign import assign_incident
from routing.usecases.reconcile import redeliver_unanswered

from tests.routing.support import NOW, POLICY, alert, assigned_events, first_case, report, work

T = POLICY.redeliver_after.total_seconds()
LATER = NOW + POLICY.redeliver_after


async def test_an_unanswered_assignment_is_said_again_with_the_same_assignment_id(
    pool: asyncpg.Pool,
) -> None:
    await first_case(pool)
    assert await redeliver_unanswered(pool, T, now=NOW + timedelta(seconds=T - 1)) == 0
    assert await redeliver_unanswered(pool, T, now=LATER) == 1
    async with pool.acquire() as conn:
        original, again = await assigned_events(conn)
    assert again.event_id != original.event_id
    assert again.model_dump(exclude={"event_id", "occurred_at"}) == original.model_dump(
        exclude={"event_id", "occurred_at"}
    )


async def test_a_round_says_each_again_once_however_many_batches_it_takes(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a lost log every unanswered assignment goes again at once (`older_than_s` 0),
    in batches: one said again by this round is not taken again by its next batch (the
    oldest batch used to go round after round until notify answered it)."""
    from routing.usecases import reconcile as round_module

    monkeypatch.setattr(round_module, "_BATCH", 2)
    for _ in range(5):
        await first_case(pool)
    assert await asyncio.wait_for(redeliver_unanswered(pool, 0, now=LATER), 10) == 5


async def test_it_is_said_again_at_most_once_per_interval(pool: asyncpg.Pool) -> None:
    await first_case(pool)
    assert await redeliver_unanswered(pool, T, now=LATER) == 1
    assert await redeliver_unanswered(pool, T, now=LATER + timedelta(seconds=T - 1)) == 0
    assert await redeliver_unanswered(pool, T, now=LATER + timedelta(seconds=T)) == 1
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 3


async def test_an_assignment_with_an_alert_status_is_not_said_again(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_alert_update(pool, alert(first, "submitted"), POLICY, now=NOW)
    assert await redeliver_unanswered(pool, T, now=LATER) == 0


async def test_a_closed_assignment_is_not_said_again(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_alert_update(pool, alert(first, "declined"), POLICY, now=NOW)
    # The decline moved the case on: only the next officer's open assignment is said again.
    assert await redeliver_unanswered(pool, T, now=LATER) == 1
    async with pool.acquire() as conn:
        again = (await assigned_events(conn))[-1]
    assert again.assignment_id != first.assignment_id
    assert again.attempt == 2


async def test_a_report_republished_by_intake_is_answered_with_the_current_assignment(
    pool: asyncpg.Pool,
) -> None:
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    republished = event.model_copy(update={"event_id": report().event_id})
    await assign_incident(pool, republished, POLICY, now=LATER)
    async with pool.acquire() as conn:
        first, again = work(await assigned_events(conn))
    assert again.assignment_id == first.assignment_id
    assert again.event_id != first.event_id
    # Asked again within the interval: not said a third time (no flood while catching up).
    twice = event.model_copy(update={"event_id": report().event_id})
    await assign_incident(pool, twice, POLICY, now=LATER + timedelta(seconds=1))
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 2


async def test_an_acknowledged_case_reported_again_says_its_accepted_assignment(
    pool: asyncpg.Pool,
) -> None:
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (first,) = await assigned_events(conn)
    await apply_alert_update(pool, alert(first, "acknowledged"), POLICY, now=NOW)
    republished = event.model_copy(update={"event_id": report().event_id})
    await assign_incident(pool, republished, POLICY, now=LATER)
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
    assert [e.assignment_id for e in sent] == [first.assignment_id, first.assignment_id]
    assert await redeliver_unanswered(pool, T, now=LATER + POLICY.redeliver_after) == 0


async def test_the_runbooks_reconcile_republishes_what_notify_never_answered(
    pool: asyncpg.Pool, routing_database: str
) -> None:
    """`qorgau-admin reconcile --older-than 0` after the broker lost everything: intake has
    heard from routing, so only routing's hop has something to say again."""
    await migrate(routing_database, INTAKE, INTAKE_MIGRATIONS)
    first = await first_case(pool)
    assert await reconcile_all(routing_database, 0) == (0, 1)
    async with pool.acquire() as conn:
        assert [e.assignment_id for e in await assigned_events(conn)] == [first.assignment_id] * 2
