"""Assigning a reported incident: district, covering, neighbour, supervisor; once per event."""

from __future__ import annotations

import asyncio
from collections import Counter

import asyncpg
import pytest
from qorgau_common.unit_of_work import shared_transaction
from routing.db.assignments import lock_roster
from routing.usecases.assign import assign_incident
from routing.usecases.import_roster import import_roster

from tests.routing.support import (
    DAY_SHIFT,
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


async def set_status(pool: asyncpg.Pool, status: str, *officer_ids: str) -> None:
    await pool.execute(
        "UPDATE routing.officers SET status = $1 WHERE id = ANY($2)", status, list(officer_ids)
    )


async def test_the_first_officer_is_an_on_shift_inspector_of_the_district(
    pool: asyncpg.Pool,
) -> None:
    event = report(district="nura", priority="high")
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
        (row,) = await assignment_rows(conn, event.incident_id)
        incident = await incident_row(conn, event.incident_id)
    assert assigned.officer_id in DAY_SHIFT
    assert assigned.officer_id.startswith("NUR-")
    assert (assigned.incident_id, assigned.correlation_id) == (
        event.incident_id,
        event.correlation_id,
    )
    assert (assigned.attempt, assigned.purpose, assigned.district) == (1, "assignment", "nura")
    assert assigned.ack_deadline == NOW + HIGH_DEADLINE
    assert assigned.officer_phone.startswith("+7700000500")
    assert (assigned.short_code, assigned.address_line) == (event.short_code, event.address_line)
    assert (row["id"], row["route"], row["status"]) == (assigned.assignment_id, "district", "open")
    assert row["created_at"] == NOW
    assert incident["status"] == "assigned"


@pytest.mark.parametrize(
    ("priority", "minutes"), [("danger_now", 2), ("high", 5), ("standard", 15)]
)
async def test_priority_sets_the_ack_deadline(
    pool: asyncpg.Pool, priority: str, minutes: int
) -> None:
    await assign_incident(pool, report(priority=priority), POLICY, now=NOW)
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
    assert (assigned.ack_deadline - NOW).total_seconds() == minutes * 60


async def test_an_officer_covering_the_district_comes_before_a_neighbour(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        await import_roster(
            conn,
            "id,name,phone,home_district,covers,language,role,active\n"
            "ALM-01,Ахметов А.,+77000001001,almaty,nura,ru,inspector,true\n",
            None,
        )
    await set_status(pool, "busy", "NUR-01", "NUR-02", "NUR-03", "NUR-04")
    await assign_incident(pool, report(district="nura"), POLICY, now=NOW)
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
        (row,) = await assignment_rows(conn, assigned.incident_id)
    assert (assigned.officer_id, row["route"]) == ("ALM-01", "covering")


async def test_with_the_district_busy_a_neighbouring_inspector_takes_it(
    pool: asyncpg.Pool,
) -> None:
    await set_status(pool, "off", "NUR-01", "NUR-02", "NUR-03", "NUR-04")
    await assign_incident(pool, report(district="nura"), POLICY, now=NOW)
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
        (row,) = await assignment_rows(conn, assigned.incident_id)
    # Nura's neighbours are Saryarka, Yesil and Saraishyk.
    assert assigned.officer_id[:3] in {"SAR", "YSL", "SRS"}
    assert assigned.officer_id in DAY_SHIFT
    assert row["route"] == "neighbour"


async def test_with_no_inspector_near_the_duty_supervisor_takes_it(pool: asyncpg.Pool) -> None:
    await pool.execute("UPDATE routing.officers SET status = 'busy' WHERE role = 'inspector'")
    await assign_incident(pool, report(district="nura"), POLICY, now=NOW)
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
        (row,) = await assignment_rows(conn, assigned.incident_id)
    assert (assigned.officer_id, row["route"], assigned.purpose) == (
        "SUP-01",
        "supervisor",
        "assignment",
    )


async def test_an_unknown_or_missing_district_goes_to_the_supervisor(pool: asyncpg.Pool) -> None:
    atlantis = report(district="atlantis")
    unresolved = report(district=None, district_unresolved_reason="district not given")
    await assign_incident(pool, atlantis, POLICY, now=NOW)
    await assign_incident(pool, unresolved, POLICY, now=NOW)
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
        reasons = [
            (await incident_row(conn, e.incident_id))["status_reason"]
            for e in (atlantis, unresolved)
        ]
    assert [a.officer_id for a in sent] == ["SUP-01", "SUP-01"]
    assert [a.district for a in sent] == [None, None]
    assert reasons == ["unknown district 'atlantis'", "district not given"]


async def test_nobody_available_escalates_to_the_board_and_tells_the_supervisor(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute("UPDATE routing.officers SET status = 'off'")
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        sent = await assigned_events(conn)
        incident = await incident_row(conn, event.incident_id)
    # A notice is not a case: the on-shift supervisor is told even while marked off.
    assert [(a.purpose, a.officer_id, a.attempt) for a in sent] == [
        ("supervisor_notice", "SUP-01", 1)
    ]
    assert (incident["status"], incident["status_reason"]) == (
        "unassigned_escalated",
        "no officer or supervisor is on shift",
    )


async def test_a_redelivered_event_is_assigned_once(pool: asyncpg.Pool) -> None:
    event = report()
    await assign_incident(pool, event, POLICY, now=NOW)
    await assign_incident(pool, event, POLICY, now=NOW)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1
        assert len(await assignment_rows(conn, event.incident_id)) == 1


async def test_load_is_spread_over_the_district(pool: asyncpg.Pool) -> None:
    for _ in range(8):
        await assign_incident(pool, report(), POLICY, now=NOW)
    async with pool.acquire() as conn:
        officers = [a.officer_id for a in await assigned_events(conn)]
    # Four Nura inspectors are on the day shift: two cases each.
    assert Counter(officers) == {f"NUR-0{n}": 2 for n in (1, 2, 3, 4)}


async def test_concurrent_decisions_lose_no_count(pool: asyncpg.Pool) -> None:
    """Forty reports decided at once over the pool: the roster lock keeps loads exact."""
    await asyncio.gather(
        *(assign_incident(pool, report(district="yesil"), POLICY, now=NOW) for _ in range(40))
    )
    async with pool.acquire() as conn:
        officers = [a.officer_id for a in await assigned_events(conn)]
    assert Counter(officers) == {f"YSL-0{n}": 10 for n in (1, 2, 3, 4)}


async def test_a_second_decision_waits_for_the_first_to_commit(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as first, pool.acquire() as second:

        async def decide() -> None:
            async with second.transaction():
                await lock_roster(second)

        blocked = "SELECT count(*) FROM pg_locks WHERE pid = $1 AND NOT granted"
        async with first.transaction():
            await lock_roster(first)
            waiting = asyncio.create_task(decide())
            async with asyncio.timeout(5):  # the second decision is seen waiting on the lock
                while not await pool.fetchval(blocked, second.get_server_pid()):
                    assert not waiting.done(), "two routing decisions ran at the same time"
                    await asyncio.sleep(0.01)
            assert not waiting.done(), "two routing decisions ran at the same time"
        await asyncio.wait_for(waiting, 5)


async def test_a_republished_report_only_updates_the_record(pool: asyncpg.Pool) -> None:
    event = report(priority="high")
    await assign_incident(pool, event, POLICY, now=NOW)
    again = event.model_copy(update={"event_id": report().event_id, "priority": "danger_now"})
    await assign_incident(pool, again, POLICY, now=NOW)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1
        incident = await incident_row(conn, event.incident_id)
    assert (incident["status"], incident["priority"]) == ("assigned", "danger_now")


async def test_a_district_found_by_triage_moves_the_case_from_the_supervisor(
    pool: asyncpg.Pool,
) -> None:
    first = report(district=None, district_unresolved_reason="district not given")
    await assign_incident(pool, first, POLICY, now=NOW)
    triaged = first.model_copy(
        update={
            "event_id": report().event_id,
            "district": "nura",
            "district_unresolved_reason": None,
        }
    )
    await assign_incident(pool, triaged, POLICY, now=NOW)
    async with pool.acquire() as conn:
        sent = work(await assigned_events(conn))
        rows = await assignment_rows(conn, first.incident_id)
        told = notices(await assigned_events(conn))
    assert [(a.attempt, a.officer_id[:4], a.district) for a in sent] == [
        (1, "SUP-", None),
        (2, "NUR-", "nura"),
    ]
    assert [(r["purpose"], r["status"], r["reason"]) for r in rows] == [
        ("assignment", "reassigned", "district found"),
        ("assignment", "open", None),
        ("supervisor_notice", "notice", None),
    ]
    # The move is the case's second attempt, so the duty supervisor is told of it.
    assert [(n.attempt, n.officer_id) for n in told] == [(2, "SUP-01")]


async def test_a_found_district_does_not_take_a_case_someone_accepted(
    pool: asyncpg.Pool,
) -> None:
    first = report(district=None, district_unresolved_reason="district not given")
    await assign_incident(pool, first, POLICY, now=NOW)
    await pool.execute("UPDATE routing.incidents SET status = 'acknowledged'")
    triaged = first.model_copy(update={"event_id": report().event_id, "district": "nura"})
    await assign_incident(pool, triaged, POLICY, now=NOW)
    async with pool.acquire() as conn:
        assert len(await assigned_events(conn)) == 1
        assert (await incident_row(conn, first.incident_id))["district"] == "nura"


async def test_a_new_report_is_assigned_in_seven_statements(pool: asyncpg.Pool) -> None:
    """A new incident is locked by its own insert and has no attempts yet; the districts and
    their neighbours are one read; the officer's stamp, the assignment and the incident's
    `assigned` are one statement."""
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        await assign_incident(pool, report(district="nura"), POLICY, now=NOW)
    # asyncpg's one-time type introspection of a connection aside
    ours = [
        " ".join(s.split()[:3])
        for s in statements
        if "typeinfo" not in s and "'jit'" not in s and s.strip() != "COMMIT;"
    ]
    assert len(ours) == 7, ours
    async with pool.acquire() as conn:
        (assigned,) = await assigned_events(conn)
    assert assigned.officer_id.startswith("NUR-")
