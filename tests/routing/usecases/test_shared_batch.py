"""Routing's effects in one shared transaction per consumer batch, on a real PostgreSQL.

A batch of reports and alert updates commits as one transaction (every row it wrote has the
same `xmin`). An effect that fails rolls the whole batch back, and the guard applies the same
records again one by one: the others take effect exactly once, and the failing one is parked
alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from qorgau_common.consumer import SHARED_FALLBACKS, EventConsumer, SharedBatches
from qorgau_common.unit_of_work import shared_transaction
from qorgau_contracts import ALERT_UPDATED, INCIDENT_REPORTED, AlertUpdated, Event, IncidentReported
from routing.usecases.acknowledge import apply_alert_update
from routing.usecases.assign import assign_incident

from tests.batches import FakeBroker, FakeMessage, FakeRecord
from tests.routing.conftest import pool_on
from tests.routing.support import NOW, POLICY, alert, assigned_events, first_case, report

TOPICS = frozenset({INCIDENT_REPORTED.name, ALERT_UPDATED.name})


def record(offset: int, event: Event) -> FakeRecord:
    topic = INCIDENT_REPORTED.name if isinstance(event, IncidentReported) else ALERT_UPDATED.name
    key = str(getattr(event, "incident_id", "")).encode()
    return FakeRecord(topic, 0, offset, key, event.model_dump_json().encode())


async def consume(
    pool: asyncpg.Pool, events: list[Event], *, failing: uuid.UUID | None = None
) -> FakeBroker:
    """The events as one batch, behind routing's guard in shared mode, at NOW."""
    broker = FakeBroker()
    consumer = EventConsumer(broker, "routing", max_attempts=2, backoff_max_s=0.0)  # type: ignore[arg-type]

    async def on_reported(event: IncidentReported) -> None:
        if event.event_id == failing:
            raise ValueError("this effect fails")
        await assign_incident(pool, event, POLICY, now=NOW)

    async def on_alert(event: AlertUpdated) -> None:
        await apply_alert_update(pool, event, POLICY, now=NOW)

    def route(topic: str) -> tuple[type[Event], Callable[[Any], Awaitable[None]]]:
        return (
            (IncidentReported, on_reported)
            if topic == INCIDENT_REPORTED.name
            else (
                AlertUpdated,
                on_alert,
            )
        )

    message = FakeMessage(tuple(record(n, e) for n, e in enumerate(events)))
    await consumer.consume_batch(
        message,  # type: ignore[arg-type]
        route,
        shared=SharedBatches(lambda: pool, TOPICS, inbox="routing"),
    )
    assert message.acks == [len(events)]
    return broker


async def transactions_of(pool: asyncpg.Pool, event_ids: list[uuid.UUID]) -> int:
    """How many transactions wrote these events' inbox rows."""
    return int(
        await pool.fetchval(
            "SELECT count(DISTINCT xmin::text) FROM routing.inbox WHERE event_id = ANY($1)",
            event_ids,
        )
    )


def fallbacks() -> float:
    return float(SHARED_FALLBACKS.labels("routing")._value.get())


async def test_a_batch_of_reports_and_answers_commits_as_one_transaction(
    pool: asyncpg.Pool,
) -> None:
    case = await first_case(pool)
    b, c = report(district="nura"), report(district="yesil")
    events: list[Event] = [b, c, b, alert(case, "delivered"), alert(case, "acknowledged")]
    before = fallbacks()

    broker = await consume(pool, events)

    assert not broker.dead
    assert fallbacks() == before
    assert await transactions_of(pool, [e.event_id for e in events]) == 1
    async with pool.acquire() as conn:
        assigned = await assigned_events(conn)
        status = await conn.fetchval(
            "SELECT status FROM routing.assignments WHERE id = $1", case.assignment_id
        )
    assert sorted(str(a.incident_id) for a in assigned if a.incident_id != case.incident_id) == (
        sorted([str(b.incident_id), str(c.incident_id)])
    )  # the duplicate report assigned nothing more
    assert status == "acknowledged"


async def test_a_failing_effect_rolls_the_batch_back_and_the_rest_apply_once(
    pool: asyncpg.Pool,
) -> None:
    b, c, d = report(district="nura"), report(district="yesil"), report(district="almaty")
    before = fallbacks()

    broker = await consume(pool, [b, c, d], failing=c.event_id)

    assert fallbacks() == before + 1
    assert [offset for _, offset, _ in broker.dead] == [1]  # c, parked alone
    async with pool.acquire() as conn:
        assigned = [a.incident_id for a in await assigned_events(conn) if a.purpose == "assignment"]
    assert sorted(map(str, assigned)) == sorted([str(b.incident_id), str(d.incident_id)])
    assert await transactions_of(pool, [b.event_id, c.event_id, d.event_id]) == 2


async def test_a_shared_transaction_that_fails_leaves_nothing(pool: asyncpg.Pool) -> None:
    async def assign_then_fail() -> None:
        async with shared_transaction(pool):
            await assign_incident(pool, report(), POLICY, now=NOW)
            raise ValueError("after the effect")

    with pytest.raises(ValueError, match="after the effect"):
        await assign_then_fail()
    assert await pool.fetchval("SELECT count(*) FROM routing.incidents") == 0
    assert await pool.fetchval("SELECT count(*) FROM routing.outbox") == 0


async def test_shared_transactions_do_not_nest(pool: asyncpg.Pool) -> None:
    async def nest() -> None:
        async with shared_transaction(pool), shared_transaction(pool):
            pass

    with pytest.raises(RuntimeError, match="do not nest"):
        await nest()


async def test_a_batch_shares_the_load_as_the_same_records_one_by_one(
    routing_database: str,
) -> None:
    """The roster is read once per batch and kept true by the batch's own assignments and
    closes (a failed alert moves its case on): every case goes to the officer it would have
    gone to with each record in a batch of its own, so no officer gets them all."""
    reports = [report(district="yesil") for _ in range(9)]
    ids = {r.incident_id for r in reports}

    async def given(together: bool) -> tuple[list[tuple[uuid.UUID, str]], list[str]]:
        async with pool_on(routing_database) as pool:
            case = await first_case(pool, district="yesil")
            events: list[Event] = [*reports[:4], alert(case, "failed", "UNDELIV"), *reports[4:]]
            if together:
                await consume(pool, events)
            else:
                for event in events:
                    await consume(pool, [event])
            async with pool.acquire() as conn:
                work = [a for a in await assigned_events(conn) if a.purpose == "assignment"]
        cases = [(a.incident_id, a.officer_id) for a in work if a.incident_id in ids]
        return cases, [a.officer_id for a in work if a.incident_id == case.incident_id]

    apart, together = await given(False), await given(True)
    assert together == apart
    cases, moved = together
    assert len(cases) == 9
    assert len(moved) == 2  # the failed alert's case went on
    assert len({officer for _, officer in cases}) == 4  # Yesil's day shift shares the load


async def test_a_batch_reads_the_roster_and_districts_and_takes_its_lock_once(
    pool: asyncpg.Pool,
) -> None:
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        for _ in range(5):
            await assign_incident(pool, report(district="yesil"), POLICY, now=NOW)
    assert len([s for s in statements if "FROM routing.officers o" in s]) == 1
    assert len([s for s in statements if "routing:assign" in s]) == 1
    assert len([s for s in statements if "FROM routing.districts" in s]) == 1
    async with pool.acquire() as conn:
        officers = [a.officer_id for a in await assigned_events(conn) if a.purpose == "assignment"]
    assert len(officers) == 5
    assert len(set(officers)) == 4  # still shared out


async def test_a_batch_reads_the_roster_again_once_a_shift_starts_or_ends(
    pool: asyncpg.Pool,
) -> None:
    change = await pool.fetchval(
        "SELECT min(t) FROM routing.shifts, LATERAL (VALUES (starts_at), (ends_at)) AS b (t)"
        " WHERE t > $1",
        NOW,
    )
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        for now in (NOW, change - timedelta(seconds=1), change, change - timedelta(hours=1)):
            await assign_incident(pool, report(district="yesil"), POLICY, now=now)
    # Read at NOW, kept until the change, read at it, and again for a time before that read.
    assert len([s for s in statements if "FROM routing.officers o" in s]) == 3
