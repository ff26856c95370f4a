"""Intake's lost-log hook, wired into the running service (issue 11).

When the broker is found to have lost its log, intake republishes every incident routing
has not answered at once, instead of after `reconcile_after_s`. `reconcile` is tested at
the use-case tier, and the periodic round in tests/intake/integration/test_wiring.py; this
checks `ServiceRuntime(after_log_lost=...)` in intake's main is plugged in.
"""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.harness import events_on_topic
from tests.intake.support import AUTH, fetch, report_body, running_intake

pytestmark = pytest.mark.integration


async def reported_on_topic(kafka: str, count: int, within_s: float) -> list[IncidentReported]:
    return await events_on_topic(kafka, INCIDENT_REPORTED, count, within_s)


async def test_a_lost_log_republishes_unrouted_incidents_at_once(
    database_url: str, kafka: str
) -> None:
    """With reconciliation an hour away, only the lost-log hook can explain the second
    incident.reported.v1 of an incident nobody routed."""
    app: FastAPI
    async with running_intake(
        database_url, kafka, reconcile_after_s=3600, reconcile_interval_s=0.3
    ) as (app, client):
        created = await client.post("/v1/reports", json=report_body("102-lost-log"), headers=AUTH)
        assert created.status_code == 201, created.text
        (first,) = await reported_on_topic(kafka, 1, within_s=10)
        app.state.runtime._link.log_lost.set()  # as BrokerLink does when it finds it lost
        events = await reported_on_topic(kafka, 2, within_s=10)
        async with asyncio.timeout(5):  # the runtime clears the event when it acts on it
            while app.state.runtime._link.log_lost.is_set():
                await asyncio.sleep(0.05)
    again = events[1]
    assert again.incident_id == first.incident_id == events[0].incident_id
    assert str(first.incident_id) == created.json()["incident_id"]
    assert again.event_id != first.event_id
    rows = await fetch(
        database_url,
        "SELECT republished_at FROM intake.incidents WHERE id = $1",
        first.incident_id,
    )
    assert rows[0]["republished_at"] is not None
