"""Intake keeps each incident's timeline from downstream events, republishes what routing
never answered, and publishes what was committed before a restart exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from intake.crypto import FieldCipher, parse_keys
from intake.linking import parse_link_key
from intake.metrics import REPUBLISHED
from intake.reconcile import reconcile
from intake.reports import ReportIn
from intake.submit import submit_report
from qorgau_common.db import create_pool
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    INCIDENT_RESOLVED,
    IncidentReported,
    IncidentResolved,
)

from tests import factories
from tests.harness import publish, read_topic, topic_size
from tests.integration.intake_support import (
    AUTH,
    ENCRYPTION_KEYS,
    LINK_KEY,
    SUPERVISOR,
    fetch,
    running_intake,
)

pytestmark = pytest.mark.integration


def report(call_id: str = "102-7001", **changes: object) -> ReportIn:
    body: dict[str, object] = {
        "channel": "call_102",
        "call_id": call_id,
        "caller_phone": "8 701 234 56 78",
        "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
        "district": "yesil",
        "narrative": "Муж угрожает.",
    }
    body.update(changes)
    return ReportIn.model_validate(body)


async def submit_directly(database_url: str, call_id: str, **changes: object) -> uuid.UUID:
    """Commit a report with no relay running, as if intake stopped right after the commit."""
    pool = await create_pool(database_url)
    try:
        accepted, created = await submit_report(
            pool,
            FieldCipher(parse_keys(ENCRYPTION_KEYS)),
            parse_link_key(LINK_KEY),
            report(call_id, **changes),
            actor="operator-1",
        )
    finally:
        await pool.close()
    assert created
    return accepted.incident_id


async def test_a_report_committed_before_a_restart_is_published_exactly_once(
    database_url: str, kafka: str
) -> None:
    incident_id = await submit_directly(database_url, "102-restart")
    assert await topic_size(kafka, INCIDENT_REPORTED.name) == 0
    async with running_intake(database_url, kafka):
        records = await read_topic(kafka, INCIDENT_REPORTED.name, 1)
        assert IncidentReported.model_validate_json(records[0].value).incident_id == incident_id
        await outbox_marked(database_url)
    # Stopped cleanly after the relay marked the row: nothing is left to publish again.
    assert await topic_size(kafka, INCIDENT_REPORTED.name) == 1


async def outbox_marked(database_url: str) -> None:
    """The relay marks a row only after the broker acknowledged it (a stop in between
    republishes it at the next start, which consumers deduplicate)."""
    for _ in range(200):
        rows = await fetch(database_url, "SELECT published_at FROM intake.outbox")
        if rows and all(r["published_at"] is not None for r in rows):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox row was never marked as published")


async def test_downstream_events_build_the_timeline_once(database_url: str, kafka: str) -> None:
    async with running_intake(database_url, kafka) as (_, client):
        created = await client.post(
            "/v1/reports", json=report().model_dump(mode="json"), headers=AUTH
        )
        incident_id = uuid.UUID(created.json()["incident_id"])
        assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
        notice = factories.assigned(
            incident_id=incident_id, correlation_id=incident_id, purpose="supervisor_notice"
        )
        delivered = factories.alert_update(assigned, "delivered")
        acknowledged = factories.alert_update(assigned, "acknowledged")
        resolved = IncidentResolved(
            producer="routing",
            correlation_id=incident_id,
            incident_id=incident_id,
            assignment_id=assigned.assignment_id,
            officer_id=assigned.officer_id,
            outcome="protective_order_issued",
            resolved_by="supervisor-1",
        )
        key = str(incident_id).encode()
        for topic, event in [
            (INCIDENT_ASSIGNED.name, assigned),
            (INCIDENT_ASSIGNED.name, assigned),  # redelivered: recorded once
            (INCIDENT_ASSIGNED.name, notice),
            (ALERT_UPDATED.name, delivered),
            (ALERT_UPDATED.name, acknowledged),
            (INCIDENT_RESOLVED.name, resolved),
        ]:
            await publish(kafka, topic, event.model_dump_json().encode(), key=key)
        # An event for an incident intake never saw is acknowledged and ignored.
        await publish(
            kafka, INCIDENT_ASSIGNED.name, factories.assigned().model_dump_json().encode()
        )

        view = await _wait_for_status(client, incident_id, "resolved")
        # The unknown-incident event travels on another partition than `resolved`: wait for
        # every distinct event while intake runs, then check nothing was recorded twice.
        for _ in range(100):
            inbox = await fetch(database_url, "SELECT count(*) AS n FROM intake.inbox")
            if inbox[0]["n"] >= 6:
                break
            await asyncio.sleep(0.1)
    entries = [e["status"] for e in view["timeline"]]
    assert entries[0] == "reported"
    assert sorted(entries[1:]) == sorted(
        ["assigned", "supervisor_notice", "alert_delivered", "alert_acknowledged", "resolved"]
    )
    assert view["status"] == "resolved"
    resolved_entry = next(e for e in view["timeline"] if e["status"] == "resolved")
    assert resolved_entry["detail"]["outcome"] == "protective_order_issued"
    assert inbox[0]["n"] == 6


async def _wait_for_status(
    client: httpx.AsyncClient, incident_id: uuid.UUID, status: str
) -> dict[str, Any]:
    for _ in range(150):
        view = (await client.get(f"/v1/incidents/{incident_id}", headers=SUPERVISOR)).json()
        if view["status"] == status and len(view["timeline"]) >= 6:
            return dict(view)
        await asyncio.sleep(0.1)
    raise AssertionError(f"incident never reached {status}: {view}")


async def test_reconciliation_republishes_unrouted_incidents_once_per_period(
    database_url: str, kafka: str
) -> None:
    waiting = await submit_directly(database_url, "102-r1")
    routed = await submit_directly(database_url, "102-r2")
    triage = await submit_directly(database_url, "102-r3", district=None)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("UPDATE intake.incidents SET routed_at = now() WHERE id = $1", routed)
    finally:
        await conn.close()
    pool = await create_pool(database_url)
    before = REPUBLISHED._value.get()
    try:
        later = datetime.now(UTC) + timedelta(seconds=61)
        assert await reconcile(pool, 60, now=datetime.now(UTC)) == 0  # too early
        assert await reconcile(pool, 60, now=later) == 2
        assert await reconcile(pool, 60, now=later + timedelta(seconds=10)) == 0
        assert await reconcile(pool, 60, now=later + timedelta(seconds=61)) == 2
    finally:
        await pool.close()
    assert REPUBLISHED._value.get() - before == 4
    rows = await fetch(database_url, "SELECT payload FROM intake.outbox ORDER BY id")
    events = [IncidentReported.model_validate_json(r["payload"]) for r in rows]
    assert len(events) == 3 + 4
    republished = events[3:]
    assert {e.incident_id for e in republished} == {waiting, triage}
    assert len({e.event_id for e in events}) == len(events)  # each republish is a new event
    first = next(e for e in events if e.incident_id == waiting)
    again = next(e for e in republished if e.incident_id == waiting)
    assert again.model_dump(exclude={"event_id", "occurred_at"}) == first.model_dump(
        exclude={"event_id", "occurred_at"}
    )


async def test_the_background_reconciler_runs_in_the_service(database_url: str, kafka: str) -> None:
    incident_id = await submit_directly(database_url, "102-bg")
    async with running_intake(database_url, kafka, reconcile_after_s=0.2, reconcile_interval_s=0.2):
        records = await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    ids = [IncidentReported.model_validate_json(r.value) for r in records]
    assert [e.incident_id for e in ids[:2]] == [incident_id, incident_id]
    assert ids[0].event_id != ids[1].event_id
