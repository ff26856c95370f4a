"""An officer's answer (SMS reply via notify, or the console): one rule, always answered."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from qorgau_common.unit_of_work import shared_transaction
from routing.usecases.answer import apply_reply_received
from routing.usecases.escalate import escalate_due
from routing.usecases.reassign import reassign

from tests.routing.support import (
    NOW,
    POLICY,
    assigned_events,
    assignment_rows,
    first_case,
    incident_row,
    replied,
    resolved_events,
    updated_events,
    work,
)

LATER = NOW + timedelta(seconds=40)


async def test_a_reply_acknowledges_and_routing_answers_it(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    reply = replied(first, "acknowledge")
    assert await apply_reply_received(pool, reply, POLICY, now=LATER) == "applied"
    assert await apply_reply_received(pool, reply, POLICY, now=LATER) is None  # redelivered
    assert await escalate_due(pool, POLICY, now=NOW + timedelta(days=1)) == 0
    async with pool.acquire() as conn:
        (update,) = await updated_events(conn)
        (row,) = await assignment_rows(conn, first.incident_id)
        incident = await incident_row(conn, first.incident_id)
    assert (row["status"], incident["status"]) == ("acknowledged", "acknowledged")
    assert (update.assignment_id, update.state, update.reply_id) == (
        first.assignment_id,
        "acknowledged",
        reply.reply_id,
    )
    assert (update.reply_answer, update.reply_verdict) == ("acknowledge", "applied")
    assert (update.short_code, update.address_line) == (first.short_code, first.address_line)


async def test_a_reply_to_a_case_that_moved_on_changes_nothing_and_says_so(
    pool: asyncpg.Pool,
) -> None:
    first = await first_case(pool)
    await escalate_due(pool, POLICY, now=NOW + timedelta(minutes=6))
    late = replied(first, "acknowledge")
    assert await apply_reply_received(pool, late, POLICY, now=NOW + timedelta(minutes=7)) == (
        "moved_on"
    )
    async with pool.acquire() as conn:
        updates = await updated_events(conn)
        rows = await assignment_rows(conn, first.incident_id)
        incident = await incident_row(conn, first.incident_id)
    assert [(u.attempt, u.state, u.reason) for u in updates] == [
        (1, "expired", "ack deadline missed"),
        (1, "expired", None),
    ]
    assert (updates[-1].reply_id, updates[-1].reply_verdict) == (late.reply_id, "moved_on")
    work_rows = [r for r in rows if r["purpose"] == "assignment"]
    assert [r["status"] for r in work_rows] == ["expired", "open"]
    assert incident["status"] == "assigned"


async def test_only_the_assigned_officer_answers(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    other = replied(first, "decline", officer_id="NUR-02")
    assert await apply_reply_received(pool, other, POLICY, now=LATER) == "not_yours"
    async with pool.acquire() as conn:
        (row,) = await assignment_rows(conn, first.incident_id)
    assert row["status"] == "open"


async def test_a_decline_moves_on_at_once_and_the_close_is_published(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    assert await apply_reply_received(pool, replied(first, "decline"), POLICY, now=LATER) == (
        "applied"
    )
    async with pool.acquire() as conn:
        (update,) = await updated_events(conn)
        sent = work(await assigned_events(conn))
    assert (update.state, update.reason, update.reply_verdict) == (
        "declined",
        "declined by the officer",
        "applied",
    )
    assert [a.attempt for a in sent] == [1, 2]


async def test_an_officer_closes_an_accepted_case_by_reply(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_reply_received(pool, replied(first, "acknowledge"), POLICY, now=LATER)
    close = replied(first, "resolve", "protective_order_issued")
    assert await apply_reply_received(pool, close, POLICY, now=LATER) == "applied"
    again = replied(first, "resolve", "no_grounds_found")
    assert await apply_reply_received(pool, again, POLICY, now=LATER) == "closed"
    async with pool.acquire() as conn:
        (resolved,) = await resolved_events(conn)
        updates = await updated_events(conn)
        incident = await incident_row(conn, first.incident_id)
    assert (resolved.outcome, resolved.resolved_by) == (
        "protective_order_issued",
        f"sms:{first.officer_id}",
    )
    assert [(u.state, u.reply_verdict) for u in updates] == [
        ("acknowledged", "applied"),
        ("resolved", "applied"),
        ("resolved", "closed"),
    ]
    assert (incident["status"], incident["status_reason"]) == (
        "resolved",
        "protective_order_issued",
    )


async def test_every_close_is_published_for_notify(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await reassign(pool, first.incident_id, "NUR-03", "closer to the address", "duty-1", POLICY)
    async with pool.acquire() as conn:
        (update,) = await updated_events(conn)
    assert (update.assignment_id, update.state, update.reason) == (
        first.assignment_id,
        "reassigned",
        "closer to the address",
    )


async def test_an_acknowledgement_reads_and_changes_the_assignment_and_incident_together(
    pool: asyncpg.Pool,
) -> None:
    """Both are locked by one read and changed by one statement."""
    first = await first_case(pool)
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        verdict = await apply_reply_received(pool, replied(first, "acknowledge"), POLICY, now=LATER)
    assert verdict == "applied"
    changes = [s for s in statements if "UPDATE routing.incidents" in s]
    (change,) = changes
    assert "UPDATE routing.assignments" in change
    (read,) = [s for s in statements if "FOR UPDATE" in s and "routing.incidents" in s]
    assert "routing.assignments" in read
