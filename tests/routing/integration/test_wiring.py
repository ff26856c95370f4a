"""Routing wired to a real broker: events in → use case → events out, in one group join.

Behaviour is tested at the use-case tier; this checks the consumer, the outbox relay and
the escalator are plugged in: incident.reported.v1 → incident.assigned.v1, alert.updated.v1
→ the next attempt, a missed deadline → the escalator, a poison message → the DLQ.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    DeadLetter,
    Event,
    IncidentAssigned,
)
from routing.main import create_app

from tests.harness import publish, read_topic, serving, topic_size
from tests.routing.support import alert, report, routing_settings

pytestmark = pytest.mark.integration


async def send(kafka: str, topic: str, event: Event, key: object) -> None:
    await publish(kafka, topic, event.model_dump_json().encode(), str(key).encode())


async def assigned_out(kafka: str, count: int, within_s: float = 20) -> list[IncidentAssigned]:
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, count, within_s)
    events = [IncidentAssigned.model_validate_json(r.value) for r in records]
    assert len(events) >= count, f"only {len(events)} of {count} assignments came out: {events}"
    return events


async def test_reports_and_alert_updates_flow_through_routing(
    live_pool: asyncpg.Pool, routing_database: str, kafka: str
) -> None:
    settings = routing_settings(
        routing_database, kafka, ack_deadline_danger_now_s=1, escalation_interval_s=0.2
    )
    async with serving(create_app(settings)):
        await publish(kafka, INCIDENT_REPORTED.name, b'{"not": "an incident"}', b"poison")
        declined = report(district="almaty", received_at=datetime.now(UTC))
        await send(kafka, INCIDENT_REPORTED.name, declined, declined.incident_id)
        (first,) = await assigned_out(kafka, 1)
        assert (first.incident_id, first.correlation_id) == (
            declined.incident_id,
            declined.correlation_id,
        )
        assert (first.attempt, first.officer_id[:4]) == (1, "ALM-")

        await send(kafka, ALERT_UPDATED.name, alert(first, "declined"), first.incident_id)
        moved = await assigned_out(kafka, 3)
        assert {(a.attempt, a.purpose) for a in moved[1:]} == {
            (2, "assignment"),
            (2, "supervisor_notice"),
        }

        overdue = report(district="yesil", priority="danger_now", received_at=datetime.now(UTC))
        await send(kafka, INCIDENT_REPORTED.name, overdue, overdue.incident_id)
        # Attempt 1 and, a second later, the escalator's attempt 2 and its notice.
        sent = await assigned_out(kafka, 6)
        # Later attempts may already follow on a slow machine (the deadline is short here).
        escalated = [a for a in sent if a.incident_id == overdue.incident_id and a.attempt <= 2]
        assert sorted((a.attempt, a.purpose) for a in escalated) == [
            (1, "assignment"),
            (2, "assignment"),
            (2, "supervisor_notice"),
        ]
        reason = await live_pool.fetchval(
            "SELECT reason FROM routing.assignments WHERE incident_id = $1 AND attempt = 1",
            overdue.incident_id,
        )
        assert reason == "ack deadline missed"

    (dead,) = [
        DeadLetter.model_validate_json(r.value)
        for r in await read_topic(kafka, INCIDENT_REPORTED.dlq, 1)
    ]
    assert dead.service == "routing"
    assert "incident_id: Field required" in dead.error
    assert await topic_size(kafka, INCIDENT_REPORTED.dlq) == 1
