"""An alert's status from notify: acknowledgement stops escalation; decline or failure moves on."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest
from qorgau_common.unit_of_work import shared_transaction
from qorgau_contracts import AlertStatus
from routing.usecases.acknowledge import apply_alert_update
from routing.usecases.escalate import escalate_due

from tests.routing.support import (
    NOW,
    POLICY,
    alert,
    assigned_events,
    assignment_rows,
    first_case,
    incident_row,
    notices,
    report,
    work,
)

LATER = NOW + timedelta(seconds=40)


async def test_an_acknowledgement_stops_escalation(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_alert_update(pool, alert(first, "delivered"), POLICY, now=LATER)
    await apply_alert_update(pool, alert(first, "acknowledged"), POLICY, now=LATER)
    assert await escalate_due(pool, POLICY, now=NOW + timedelta(days=1)) == 0
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1
        (row,) = await assignment_rows(conn, first.incident_id)
        incident = await incident_row(conn, first.incident_id)
    assert (row["status"], row["alert_status"], row["acknowledged_at"]) == (
        "acknowledged",
        "acknowledged",
        LATER,
    )
    assert incident["status"] == "acknowledged"


@pytest.mark.parametrize("status", ["declined", "failed"])
async def test_a_decline_or_failed_delivery_moves_on_at_once(
    pool: asyncpg.Pool, status: AlertStatus
) -> None:
    first = await first_case(pool, district="almaty")
    await apply_alert_update(pool, alert(first, status, reason="busy elsewhere"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
        rows = await assignment_rows(conn, first.incident_id)
    (second,) = [a for a in work(sent) if a.attempt == 2]
    assert second.officer_id != first.officer_id
    assert second.officer_id.startswith("ALM-")
    assert second.ack_deadline == LATER + timedelta(minutes=5)
    assert [(n.attempt, n.officer_id) for n in notices(sent)] == [(2, "SUP-01")]
    assert (rows[0]["status"], rows[0]["reason"]) == (status, f"{status}: busy elsewhere")


async def test_a_redelivered_decline_moves_on_only_once(pool: asyncpg.Pool) -> None:
    first = await first_case(pool, district="yesil")
    declined = alert(first, "declined")
    await apply_alert_update(pool, declined, POLICY, now=LATER)
    await apply_alert_update(pool, declined, POLICY, now=LATER)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 3  # attempt 1, attempt 2 and its notice


async def test_a_late_answer_to_a_case_already_moved_on_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    first = await first_case(pool)
    assert await escalate_due(pool, POLICY, now=NOW + timedelta(minutes=6)) == 1
    await apply_alert_update(pool, alert(first, "acknowledged"), POLICY, now=LATER)
    await apply_alert_update(pool, alert(first, "declined"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 3  # attempt 2 and its notice, no more
        rows = await assignment_rows(conn, first.incident_id)
        incident = await incident_row(conn, first.incident_id)
    assert (rows[0]["status"], rows[0]["alert_status"]) == ("expired", "declined")
    assert incident["status"] == "assigned"


async def test_an_answer_to_a_supervisor_notice_is_never_escalated(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    await apply_alert_update(pool, alert(first, "declined"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        (notice,) = notices(await assigned_events(conn))
    await apply_alert_update(pool, alert(notice, "failed"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 3
        rows = await assignment_rows(conn, first.incident_id)
    assert [(r["purpose"], r["status"], r["alert_status"]) for r in rows][-1] == (
        "supervisor_notice",
        "notice",
        "failed",
    )


async def test_an_update_for_an_unknown_assignment_is_ignored(pool: asyncpg.Pool) -> None:
    first = await first_case(pool)
    stranger = first.model_copy(update={"assignment_id": report().incident_id})
    await apply_alert_update(pool, alert(stranger, "declined"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1


async def test_a_batchs_shown_statuses_are_one_statement_and_the_last_one_wins(
    pool: asyncpg.Pool,
) -> None:
    """Submitted, delivered, then failed, in one batch: the case moves on and shows `failed`;
    the statuses of other alerts in the batch are written together."""
    first = await first_case(pool, district="almaty")
    other = await first_case(pool, district="nura")
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        for event in (
            alert(first, "submitted"),
            alert(other, "submitted"),
            alert(first, "delivered"),
            alert(other, "delivered"),
            alert(first, "failed"),
        ):
            await apply_alert_update(pool, event, POLICY, now=LATER)
    shown = [s for s in statements if "alert_status" in s and "UPDATE" in s]
    assert len(shown) == 1, shown
    async with pool.acquire() as conn:
        first_rows = await assignment_rows(conn, first.incident_id)
        (other_row,) = await assignment_rows(conn, other.incident_id)
    by_attempt = {r["attempt"]: (r["status"], r["alert_status"]) for r in first_rows}
    assert by_attempt[1] == ("failed", "failed")
    assert 2 in by_attempt  # moved on to a second officer
    assert other_row["alert_status"] == "delivered"


async def test_a_batchs_status_for_an_unknown_assignment_changes_nothing(
    pool: asyncpg.Pool,
) -> None:
    first = await first_case(pool)
    stray = first.model_copy(update={"assignment_id": uuid.uuid4()})
    async with shared_transaction(pool):
        await apply_alert_update(pool, alert(stray, "delivered"), POLICY, now=LATER)
        await apply_alert_update(pool, alert(first, "delivered"), POLICY, now=LATER)
    async with pool.acquire() as conn:
        (row,) = await assignment_rows(conn, first.incident_id)
    assert row["alert_status"] == "delivered"
