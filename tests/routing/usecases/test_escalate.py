"""Escalation on a missed deadline, with an explicit clock: no waiting for real deadlines."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from prometheus_client import REGISTRY
from qorgau_common.db import create_pool
from routing.usecases.assign import assign_incident
from routing.usecases.escalate import escalate_all_due, escalate_due
from routing.usecases.gauges import refresh_gauges

from tests.routing.support import (
    HIGH_DEADLINE,
    NOW,
    POLICY,
    assigned_events,
    assignment_rows,
    incident_row,
    notices,
    report,
    work,
)

PAST = HIGH_DEADLINE + timedelta(seconds=1)


def gauge(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0


async def test_nothing_is_escalated_before_its_deadline(pool: asyncpg.Pool) -> None:
    await assign_incident(pool, report(), POLICY, now=NOW)
    assert await escalate_due(pool, POLICY, now=NOW + HIGH_DEADLINE - timedelta(seconds=1)) == 0
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1


async def test_missed_deadlines_walk_the_chain_tell_the_supervisor_and_end_on_the_board(
    pool: asyncpg.Pool,
) -> None:
    event = report(district="nura", priority="high")
    await assign_incident(pool, event, POLICY, now=NOW)
    moments = [NOW + PAST * n for n in (1, 2, 3)]
    assert [await escalate_due(pool, POLICY, now=m) for m in moments] == [1, 1, 1]
    assert await escalate_due(pool, POLICY, now=NOW + PAST * 9) == 0  # nothing left open
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
        rows = await assignment_rows(conn, event.incident_id)
        incident = await incident_row(conn, event.incident_id)
    attempts = work(sent)
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert len({a.officer_id for a in attempts}) == 3  # never the same officer twice
    assert all(a.officer_id.startswith("NUR-") for a in attempts)
    # Each new attempt's deadline runs from the moment it was made.
    assert [a.ack_deadline for a in attempts[1:]] == [m + HIGH_DEADLINE for m in moments[:2]]
    # Told at the second attempt, and again when nobody is left (max_attempts=3).
    assert [(n.attempt, n.officer_id) for n in notices(sent)] == [(2, "SUP-01"), (4, "SUP-01")]
    assert [(r["status"], r["reason"]) for r in rows if r["purpose"] == "assignment"] == [
        ("expired", "ack deadline missed"),
        ("expired", "ack deadline missed"),
        ("expired", "ack deadline missed"),
    ]
    assert [r["closed_at"] for r in rows if r["purpose"] == "assignment"] == moments
    assert (incident["status"], incident["status_reason"]) == (
        "unassigned_escalated",
        "no acknowledgement after 3 attempts",
    )
    expired = gauge("qorgau_routing_escalations_total", {"district": "nura", "reason": "expired"})
    assert expired >= 3
    await refresh_gauges(pool, now=NOW + PAST * 4)
    # The signal behind QorgauHighPriorityUnacknowledged, and the board's backlog.
    assert gauge("qorgau_routing_overdue_incidents", {"priority": "high"}) == 1
    assert gauge("qorgau_routing_unassigned_escalated") == 1


async def test_one_round_escalates_every_overdue_case_in_batches(pool: asyncpg.Pool) -> None:
    for _ in range(12):
        await assign_incident(pool, report(district="yesil"), POLICY, now=NOW)
    assert await escalate_all_due(pool, POLICY, now=NOW + PAST) == 12  # batches of 10, then 2
    async with pool.acquire() as conn:
        assert sum(a.attempt == 2 for a in work(await assigned_events(conn))) == 12


async def test_a_case_another_process_is_escalating_is_skipped(pool: asyncpg.Pool) -> None:
    await assign_incident(pool, report(), POLICY, now=NOW)
    async with pool.acquire() as other, other.transaction():
        await other.execute("SELECT id FROM routing.assignments FOR UPDATE")
        assert await escalate_due(pool, POLICY, now=NOW + PAST) == 0
    assert await escalate_due(pool, POLICY, now=NOW + PAST) == 1


async def test_deadlines_survive_a_restart(pool: asyncpg.Pool, routing_database: str) -> None:
    """Deadlines live in PostgreSQL: a routing started later, on a new pool, escalates them."""
    await assign_incident(pool, report(district="baikonyr"), POLICY, now=NOW)
    await pool.close()
    restarted = await create_pool(routing_database)
    try:
        assert await escalate_due(restarted, POLICY, now=NOW + PAST) == 1
        async with restarted.acquire() as conn:
            second = work(await assigned_events(conn))[-1]
    finally:
        await restarted.close()
    assert (second.attempt, second.officer_id[:4]) == (2, "BKN-")


async def test_the_overdue_gauge_counts_only_unacknowledged_first_deadlines(
    pool: asyncpg.Pool,
) -> None:
    await assign_incident(pool, report(priority="danger_now"), POLICY, now=NOW)
    await assign_incident(pool, report(priority="standard"), POLICY, now=NOW)
    await refresh_gauges(pool, now=NOW + timedelta(minutes=3))
    assert gauge("qorgau_routing_overdue_incidents", {"priority": "danger_now"}) == 1
    assert gauge("qorgau_routing_overdue_incidents", {"priority": "standard"}) == 0
    assert gauge("qorgau_routing_open_cases", {"district": "nura", "officer_id": "NUR-01"}) == 1
