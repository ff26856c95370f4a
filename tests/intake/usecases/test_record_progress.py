"""Downstream events → the incident's timeline and status, once each, never backwards."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from intake.db import progress as store
from intake.domain.progress import on_assigned
from intake.usecases.record_progress import (
    record_alert,
    record_assigned,
    record_assignment_updated,
    record_resolved,
    record_unassigned,
)
from intake.usecases.view_incident import view_incident
from qorgau_common.auth import Caller
from qorgau_common.unit_of_work import shared_transaction
from qorgau_contracts import IncidentAssigned, IncidentResolved, IncidentUnassigned

from tests import factories
from tests.intake.support import cipher, counts, fetch, submit_directly

SUPERVISOR = Caller("supervisor-1", "supervisor")


def resolved(assigned: IncidentAssigned) -> IncidentResolved:
    return IncidentResolved(
        producer="routing",
        correlation_id=assigned.incident_id,
        incident_id=assigned.incident_id,
        assignment_id=assigned.assignment_id,
        officer_id=assigned.officer_id,
        outcome="protective_order_issued",
        resolved_by="supervisor-1",
    )


async def test_downstream_events_build_the_timeline_once(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit_directly(database_url, "102-7001")
    assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    notice = factories.assigned(
        incident_id=incident_id, correlation_id=incident_id, purpose="supervisor_notice"
    )
    await record_assigned(pool, assigned)
    await record_assigned(pool, assigned)  # redelivered: recorded once
    await record_assigned(pool, notice)
    await record_alert(pool, factories.alert_update(assigned, "delivered"))
    await record_alert(pool, factories.alert_update(assigned, "acknowledged"))
    await record_assignment_updated(pool, factories.assignment_update(assigned, "acknowledged"))
    await record_resolved(pool, resolved(assigned))

    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert [line.status for line in seen.timeline] == [
        "reported",
        "assigned",
        "supervisor_notice",
        "alert_delivered",
        "alert_acknowledged",
        "assignment_acknowledged",
        "resolved",
    ]
    assert seen.incident.status == "resolved"
    assert seen.timeline[-1].detail["outcome"] == "protective_order_issued"
    assert "officer_phone" not in str([line.detail for line in seen.timeline])
    assert (await counts(database_url, "inbox"))["inbox"] == 6
    [row] = await fetch(database_url, "SELECT routed_at FROM intake.incidents")
    assert row["routed_at"] is not None


async def test_a_late_event_never_moves_the_status_back(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit_directly(database_url, "102-7002")
    assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    await record_assignment_updated(pool, factories.assignment_update(assigned, "acknowledged"))
    await record_assigned(pool, assigned)  # arrives after the acknowledgement
    await record_alert(pool, factories.alert_update(assigned, "delivered"))
    [row] = await fetch(database_url, "SELECT status FROM intake.incidents")
    assert row["status"] == "acknowledged"


async def test_an_alert_alone_does_not_mark_the_incident_routed(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await submit_directly(database_url, "102-7003")
    [row] = await fetch(database_url, "SELECT id FROM intake.incidents")
    await record_alert(
        pool, factories.alert_update(factories.assigned(incident_id=row["id"]), "failed")
    )
    [row] = await fetch(database_url, "SELECT routed_at, status FROM intake.incidents")
    assert (row["routed_at"], row["status"]) == (None, "reported")


async def test_an_event_for_an_unknown_incident_is_claimed_and_ignored(
    pool: asyncpg.Pool, database_url: str
) -> None:
    await record_assigned(pool, factories.assigned(incident_id=uuid.uuid4()))
    assert await counts(database_url, "inbox", "incident_timeline") == {
        "inbox": 1,
        "incident_timeline": 0,
    }


async def test_acknowledged_only_when_routing_recorded_it_and_each_attempt_is_shown(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit_directly(database_url, "102-7101")
    first = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    second = factories.assigned(
        incident_id=incident_id, correlation_id=incident_id, attempt=2, officer_id="YSL-02"
    )
    await record_assigned(pool, first)
    await record_alert(pool, factories.alert_update(first, "acknowledged"))  # notify's view
    [row] = await fetch(database_url, "SELECT status FROM intake.incidents")
    assert row["status"] == "assigned"
    expired = factories.assignment_update(first, "expired", reason="ack deadline missed")
    await record_assignment_updated(pool, expired)
    await record_assigned(pool, second)
    await record_assignment_updated(pool, factories.assignment_update(second, "acknowledged"))
    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    attempts = [
        (line.status, line.detail.get("officer_id"), line.detail.get("reason"))
        for line in seen.timeline
        if line.status.startswith("assign")
    ]
    assert attempts == [
        ("assigned", "YSL-01", None),
        ("assignment_expired", "YSL-01", "ack deadline missed"),
        ("assigned", "YSL-02", None),
        ("assignment_acknowledged", "YSL-02", None),
    ]
    assert seen.incident.status == "acknowledged"


async def test_nobody_to_take_it_shows_waiting_and_stops_republishing(
    pool: asyncpg.Pool, database_url: str
) -> None:
    incident_id = await submit_directly(database_url, "102-7102")
    nobody = IncidentUnassigned(
        producer="routing",
        correlation_id=incident_id,
        incident_id=incident_id,
        short_code="K7Q2",
        attempts=0,
        reason="no officer or supervisor is on shift",
        supervisor_told=False,
    )
    await record_unassigned(pool, nobody)
    [row] = await fetch(database_url, "SELECT status, routed_at FROM intake.incidents")
    assert row["status"] == "waiting_for_officer"
    assert row["routed_at"] is not None
    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert seen.timeline[-1].detail["reason"] == "no officer or supervisor is on shift"


async def test_a_republished_event_adds_no_second_line(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """Routing and notify say a fact again (new event ids) when the broker may have lost it;
    the timeline states each fact once."""
    incident_id = await submit_directly(database_url, "102-7003")
    assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    await record_assigned(pool, assigned)
    await record_alert(pool, factories.alert_update(assigned, "submitted"))
    again = assigned.model_copy(update={"event_id": uuid.uuid4()})
    await record_assigned(pool, again)
    status_again = factories.alert_update(assigned, "submitted")
    await record_alert(pool, status_again)

    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert [line.status for line in seen.timeline] == ["reported", "assigned", "alert_submitted"]
    assert (await counts(database_url, "inbox"))["inbox"] == 4  # each event was consumed


async def test_two_copies_of_a_fact_recorded_at_once_add_one_line(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A republished copy recorded while the first is still uncommitted (say, a rebalance
    hands its partition over mid-batch) waits for it, then adds nothing."""
    incident_id = await submit_directly(database_url, "102-7004")
    assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    again = assigned.model_copy(update={"event_id": uuid.uuid4()})
    waiting_on_a_lock = (  # in this test's database: other workers share the server
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE NOT l.granted AND a.datname = current_database()"
    )
    async with pool.acquire() as conn, conn.transaction():  # the first copy, not yet committed
        progress = on_assigned(assigned)
        first = store.Noted(incident_id, progress.entry, progress.detail, progress.status, True)
        await store.record(conn, [first])
        second = asyncio.create_task(record_assigned(pool, again))
        async with asyncio.timeout(5):  # the second copy is seen waiting for the first
            while not await fetch_value(database_url, waiting_on_a_lock):
                assert not second.done(), "the second copy did not wait for the first"
                await asyncio.sleep(0.01)
    await asyncio.wait_for(second, 5)

    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert [line.status for line in seen.timeline] == ["reported", "assigned"]
    [row] = await fetch(database_url, "SELECT status, routed_at FROM intake.incidents")
    assert row["status"] == "assigned"
    assert row["routed_at"] is not None


async def test_a_copy_committed_while_a_batch_holds_the_first_adds_no_line(
    pool: asyncpg.Pool, database_url: str
) -> None:
    """A batch records its events together just before it commits; a copy of one of them
    committed meanwhile (another replica's) leaves the batch nothing to add."""
    incident_id = await submit_directly(database_url, "102-7005")
    assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
    again = assigned.model_copy(update={"event_id": uuid.uuid4()})
    async with shared_transaction(pool):
        await record_assigned(pool, assigned)
        await asyncio.create_task(record_assigned(pool, again))  # its own transaction
    seen = await view_incident(pool, cipher(), SUPERVISOR, incident_id)
    assert [line.status for line in seen.timeline] == ["reported", "assigned"]


async def fetch_value(database_url: str, query: str) -> int:
    [row] = await fetch(database_url, query)
    return int(row[0])
