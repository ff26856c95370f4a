"""Intake over a real broker: its one consumer, its relay and its reconciler, wired.

Everything else is tested without Kafka (tests/intake/usecases and tests/intake/http).
Each test starts intake once, so it joins its consumer group once.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
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
from tests.intake.support import (
    AUTH,
    SUPERVISOR,
    fetch,
    report_body,
    running_intake,
    submit_directly,
)

pytestmark = pytest.mark.integration


async def test_a_report_goes_out_and_downstream_events_come_back_as_its_timeline(
    database_url: str, kafka: str
) -> None:
    async with running_intake(database_url, kafka) as (_, client):
        ready = await client.get("/health/ready")
        assert ready.json()["checks"] == {"postgres": True, "kafka": True}
        assert "qorgau_outbox_lag_seconds" in (await client.get("/metrics")).text

        created = await client.post("/v1/reports", json=report_body("102-w1"), headers=AUTH)
        assert created.status_code == 201, created.text
        incident_id = uuid.UUID(created.json()["incident_id"])
        [record] = await read_topic(kafka, INCIDENT_REPORTED.name, 1)
        assert IncidentReported.model_validate_json(record.value).incident_id == incident_id
        assert record.key == str(incident_id).encode()
        for personal in ("Айгерим", "7012345678", "угрожает"):
            assert personal not in record.value.decode()

        assigned = factories.assigned(incident_id=incident_id, correlation_id=incident_id)
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
            (ALERT_UPDATED.name, factories.alert_update(assigned, "acknowledged")),
            (INCIDENT_RESOLVED.name, resolved),
        ]:
            await publish(kafka, topic, event.model_dump_json().encode(), key=key)
        view = await _wait_for_status(client, incident_id, "resolved", lines=4)
    entries = [e["status"] for e in view["timeline"]]
    # Three topics: their events arrive in any order; the status still ends resolved.
    assert entries[0] == "reported"
    assert sorted(entries[1:]) == ["alert_acknowledged", "assigned", "resolved"]
    inbox = await fetch(database_url, "SELECT count(*) AS n FROM intake.inbox")
    assert inbox[0]["n"] == 3


async def _wait_for_status(
    client: httpx.AsyncClient, incident_id: uuid.UUID, status: str, *, lines: int
) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for _ in range(150):
        view = (await client.get(f"/v1/incidents/{incident_id}", headers=SUPERVISOR)).json()
        if view["status"] == status and len(view["timeline"]) >= lines:
            return view
        await asyncio.sleep(0.1)
    raise AssertionError(f"incident never reached {status} with {lines} timeline lines: {view}")


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


async def test_the_background_reconciler_runs_in_the_service(database_url: str, kafka: str) -> None:
    incident_id = await submit_directly(database_url, "102-bg")
    async with running_intake(database_url, kafka, reconcile_after_s=0.2, reconcile_interval_s=0.2):
        records = await read_topic(kafka, INCIDENT_REPORTED.name, 2)
    events = [IncidentReported.model_validate_json(r.value) for r in records]
    assert len(events) >= 2, "the reconciler never republished the unrouted incident"
    assert [e.incident_id for e in events[:2]] == [incident_id, incident_id]
    assert events[0].event_id != events[1].event_id
