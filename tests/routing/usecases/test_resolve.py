"""A case closed with its outcome: incident.resolved.v1, the officer freed, audited."""

from __future__ import annotations

import asyncpg
import pytest
from qorgau_common.errors import Conflict, NotFound
from routing.usecases.acknowledge import apply_alert_update
from routing.usecases.assign import assign_incident
from routing.usecases.resolve import resolve

from tests.routing.support import (
    NOW,
    POLICY,
    alert,
    assigned_events,
    first_case,
    incident_row,
    notices,
    report,
    resolved_events,
)


async def test_resolving_publishes_the_outcome_and_frees_the_officer(pool: asyncpg.Pool) -> None:
    event = report(exercise=True)
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (first,) = await assigned_events(conn)
    await apply_alert_update(pool, alert(first, "acknowledged"), POLICY, now=NOW)
    await resolve(pool, first.assignment_id, "protective_order_issued", "duty-1", now=NOW)
    async with pool.acquire() as conn:
        (resolved,) = await resolved_events(conn)
        incident = await incident_row(conn, event.incident_id)
        load = await conn.fetchval(
            "SELECT count(*) FROM routing.assignments WHERE officer_id = $1"
            " AND status IN ('open', 'acknowledged')",
            first.officer_id,
        )
        row = await conn.fetchrow(
            "SELECT status, outcome, closed_at FROM routing.assignments WHERE id = $1",
            first.assignment_id,
        )
        audit = await conn.fetch("SELECT actor, action FROM routing.audit_log ORDER BY id")
    assert (resolved.outcome, resolved.officer_id, resolved.resolved_by) == (
        "protective_order_issued",
        first.officer_id,
        "duty-1",
    )
    assert (resolved.incident_id, resolved.assignment_id) == (
        event.incident_id,
        first.assignment_id,
    )
    assert (resolved.correlation_id, resolved.exercise) == (event.correlation_id, True)
    assert (incident["status"], incident["status_reason"]) == (
        "resolved",
        "protective_order_issued",
    )
    assert row is not None
    assert tuple(row) == ("resolved", "protective_order_issued", NOW)
    assert load == 0
    assert [tuple(a) for a in audit] == [
        (f"sms:{first.officer_id}", "assignment.acknowledge"),
        ("duty-1", "assignment.resolve"),
    ]


async def test_a_resolved_case_cannot_be_resolved_again(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await resolve(pool, first.assignment_id, "duplicate", "duty-1")
    with pytest.raises(Conflict, match="already resolved"):
        await resolve(pool, first.assignment_id, "duplicate", "duty-1")
    async with pool.acquire() as conn:
        assert len(await resolved_events(conn)) == 1


async def test_only_an_officers_case_can_be_resolved(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_alert_update(pool, alert(first, "declined"), POLICY, now=NOW)
    async with pool.acquire() as conn:
        (notice,) = notices(await assigned_events(conn))
    with pytest.raises(NotFound):
        await resolve(pool, notice.assignment_id, "duplicate", "duty-1")
    with pytest.raises(Conflict, match="already declined"):
        await resolve(pool, first.assignment_id, "duplicate", "duty-1")
