"""Supervisor paths, nobody on shift, and facts learnt after routing."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from routing.usecases.assign import assign_incident
from routing.usecases.board import board
from routing.usecases.escalate import escalate_due
from routing.usecases.reassign import reassign

from tests.routing.support import (
    NOW,
    POLICY,
    assigned_events,
    assignment_rows,
    first_case,
    incident_row,
    notices,
    report,
    unassigned_events,
    updated_events,
    work,
)


async def test_reassigning_after_a_supervisor_notice_writes_the_notice_once(
    pool: asyncpg.Pool,
) -> None:
    # District-less: the supervisor holds it; the deadline passes with nobody left.
    await pool.execute("UPDATE routing.officers SET status = 'off' WHERE id = 'SUP-02'")
    event = report(district=None, district_unresolved_reason="district not given")
    await assign_incident(pool, event, POLICY, now=NOW)
    await escalate_due(pool, POLICY, now=NOW + timedelta(minutes=6))
    attempt = await reassign(pool, event.incident_id, "NUR-01", "knows the area", "duty-1", POLICY)
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
        rows = await assignment_rows(conn, event.incident_id)
    assert attempt == 2
    assert [(n.attempt, n.officer_id) for n in notices(sent)] == [(2, "SUP-01")]
    assert [(a.attempt, a.officer_id) for a in work(sent)] == [(1, "SUP-01"), (2, "NUR-01")]
    assert len(rows) == 3


async def test_nobody_on_shift_is_said_and_shown_with_the_reason(pool: asyncpg.Pool) -> None:
    await pool.execute("DELETE FROM routing.shifts")
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (unassigned,) = await unassigned_events(conn)
        assert await assigned_events(conn) == []
    assert (unassigned.incident_id, unassigned.reason, unassigned.supervisor_told) == (
        event.incident_id,
        "no officer or supervisor is on shift",
        False,
    )
    shown = await board(pool, now=NOW)
    (entry,) = shown["escalated"]
    assert (entry["unassignable"], entry["reason"]) == (
        True,
        "no officer or supervisor is on shift",
    )


async def test_a_district_found_later_moves_the_case_and_closes_the_supervisors(
    pool: asyncpg.Pool,
) -> None:
    event = report(district=None, district_unresolved_reason="district not given")
    await assign_incident(pool, event, POLICY, now=NOW)
    triaged = report(
        incident_id=event.incident_id, correlation_id=event.correlation_id, district="yesil"
    )
    await assign_incident(pool, triaged, POLICY, now=NOW + timedelta(minutes=1))
    async with pool.acquire() as conn:
        sent = work(await assigned_events(conn))
        (closed,) = await updated_events(conn)
    assert [(a.attempt, a.officer_id[:4]) for a in sent] == [(1, "SUP-"), (2, "YSL-")]
    assert (closed.officer_id, closed.state, closed.reason) == (
        "SUP-01",
        "reassigned",
        "district found",
    )


async def test_a_priority_rise_shortens_the_open_deadline_and_tells_the_officer(
    pool: asyncpg.Pool,
) -> None:
    first = await first_case(pool, priority="standard", risk_level="standard")
    assert first.ack_deadline == NOW + timedelta(minutes=15)
    rise = report(
        incident_id=first.incident_id,
        correlation_id=first.correlation_id,
        priority="danger_now",
        risk_level="high",
    )
    await assign_incident(pool, rise, POLICY, now=NOW + timedelta(minutes=1))
    async with pool.acquire() as conn:
        (update,) = await updated_events(conn)
        (row,) = await assignment_rows(conn, first.incident_id)
        incident = await incident_row(conn, first.incident_id)
    shorter = NOW + timedelta(minutes=3)
    assert row["ack_deadline"] == shorter
    assert (update.state, update.changed, update.ack_deadline) == (
        "open",
        ("priority", "risk_level", "ack_deadline"),
        shorter,
    )
    assert (update.priority, update.risk_level) == ("danger_now", "high")
    assert (incident["priority"], incident["risk_level"]) == ("danger_now", "high")
    assert await escalate_due(pool, POLICY, now=shorter) == 1


async def test_an_address_learnt_later_reaches_the_officer_and_a_fall_tells_nobody(
    pool: asyncpg.Pool,
) -> None:
    first = await first_case(pool)
    same = {"incident_id": first.incident_id, "correlation_id": first.correlation_id}
    await assign_incident(pool, report(**same, priority="standard"), POLICY, now=NOW)
    moved = report(**same, priority="standard", address_line="ул. Кенесары 40")
    await assign_incident(pool, moved, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (update,) = await updated_events(conn)
    assert (update.changed, update.address_line) == (("address_line",), "ул. Кенесары 40")
