"""A supervisor gives a case to another officer: a new attempt, audited."""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest
from qorgau_common.errors import Conflict, InvalidInput, NotFound
from routing.usecases.assign import assign_incident
from routing.usecases.reassign import reassign

from tests.routing.support import NOW, POLICY, assigned_events, assignment_rows, report, work


async def assigned(pool: asyncpg.Pool) -> uuid.UUID:
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    return event.incident_id


async def test_reassignment_closes_the_open_attempt_and_makes_the_next(pool: asyncpg.Pool) -> None:
    incident_id = await assigned(pool)
    attempt = await reassign(
        pool, incident_id, "YSL-07", "closer to the address", "duty-1", POLICY, now=NOW
    )
    assert attempt == 2
    async with pool.acquire() as conn:
        sent = work(await assigned_events(conn))
        rows = await assignment_rows(conn, incident_id)
        audit = await conn.fetch("SELECT actor, action, incident_id, detail FROM routing.audit_log")
    # A supervisor's choice stands even off shift (YSL-07 works nights).
    assert [(a.attempt, a.officer_id) for a in sent][-1] == (2, "YSL-07")
    work_rows = [r for r in rows if r["purpose"] == "assignment"]
    assert [(r["status"], r["route"], r["reason"]) for r in work_rows] == [
        ("reassigned", "district", "closer to the address"),
        ("open", "manual", None),
    ]
    ((actor, action, audited, detail),) = audit
    assert (actor, action, audited) == ("duty-1", "incident.reassign", incident_id)
    assert json.loads(detail) == {
        "officer_id": "YSL-07",
        "reason": "closer to the address",
        "attempt": 2,
    }


async def test_reassigning_to_a_supervisor_routes_as_supervisor(pool: asyncpg.Pool) -> None:
    incident_id = await assigned(pool)
    await reassign(pool, incident_id, "SUP-02", "needs a senior", "duty-1", POLICY, now=NOW)
    async with pool.acquire() as conn:
        rows = await assignment_rows(conn, incident_id)
    assert rows[-1]["route"] == "supervisor"


@pytest.mark.parametrize(
    ("officer_id", "error", "message"),
    [
        ("NOPE-1", InvalidInput, "officer_id: no such officer"),
        ("ALM-01", InvalidInput, "officer_id: the officer is not active"),
    ],
)
async def test_an_unknown_or_inactive_officer_is_refused_and_nothing_changes(
    pool: asyncpg.Pool, officer_id: str, error: type[Exception], message: str
) -> None:
    incident_id = await assigned(pool)
    await pool.execute("UPDATE routing.officers SET active = false WHERE id = 'ALM-01'")
    with pytest.raises(error, match=message):
        await reassign(pool, incident_id, officer_id, "testing refusal", "duty-1", POLICY)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1
        assert [r["status"] for r in await assignment_rows(conn, incident_id)] == ["open"]


async def test_an_unknown_or_resolved_incident_is_refused(pool: asyncpg.Pool) -> None:
    with pytest.raises(NotFound):
        await reassign(pool, uuid.uuid4(), "YSL-01", "no such case", "duty-1", POLICY)
    incident_id = await assigned(pool)
    await pool.execute("UPDATE routing.incidents SET status = 'resolved'")
    with pytest.raises(Conflict, match="already resolved"):
        await reassign(pool, incident_id, "YSL-01", "too late", "duty-1", POLICY)
