"""Routing's redelivery, wired into the running service (issue 11).

`redeliver_unanswered` is tested at the use-case tier; these check that the service runs
it: every `reconcile_interval_s` (the periodic round in `main`), and at once when the broker
is found to have lost its log (`ServiceRuntime(after_log_lost=...)`). Without that wiring an
assignment whose event the broker lost is never said again, and no officer is alerted.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import pytest
from fastapi import FastAPI
from qorgau_contracts import INCIDENT_ASSIGNED, IncidentAssigned
from routing.main import create_app

from tests.harness import events_on_topic, serving
from tests.routing.support import queue, report, routing_settings

pytestmark = pytest.mark.integration


async def assigned_on_topic(kafka: str, count: int, within_s: float) -> list[IncidentAssigned]:
    return await events_on_topic(kafka, INCIDENT_ASSIGNED, count, within_s)


def said_again(events: list[IncidentAssigned]) -> None:
    """The first two events are one assignment said twice: same assignment, new event id."""
    first, again = events[:2]
    assert (again.assignment_id, again.incident_id, again.officer_id, again.attempt) == (
        first.assignment_id,
        first.incident_id,
        first.officer_id,
        first.attempt,
    )
    assert again.purpose == first.purpose == "assignment"
    assert again.event_id != first.event_id


async def test_the_periodic_round_says_an_unanswered_assignment_again(
    live_pool: asyncpg.Pool, routing_database: str, kafka: str
) -> None:
    """Nobody answers as notify would: within a few rounds the same assignment goes out
    again (guards main's `periodically("routing-reconcile", ...)`)."""
    settings = routing_settings(
        routing_database, kafka, reconcile_after_s=0.5, reconcile_interval_s=0.3
    )
    incident = report(district="almaty", received_at=datetime.now(UTC))
    async with serving(create_app(settings)):
        await queue(kafka, [incident])
        events = await assigned_on_topic(kafka, 2, within_s=15)
    assert events[0].incident_id == incident.incident_id
    said_again(events)
    republished = await live_pool.fetchval(
        "SELECT republished_at FROM routing.assignments WHERE id = $1", events[0].assignment_id
    )
    assert republished is not None


async def test_a_lost_log_says_unanswered_assignments_again_at_once(
    live_pool: asyncpg.Pool, routing_database: str, kafka: str
) -> None:
    """With reconciliation an hour away, only the lost-log hook can say the assignment
    again (guards `after_log_lost=` in routing's main)."""
    settings = routing_settings(
        routing_database, kafka, reconcile_after_s=3600, reconcile_interval_s=0.3
    )
    incident = report(district="almaty", received_at=datetime.now(UTC))
    app: FastAPI
    async with serving(create_app(settings)) as app:
        await queue(kafka, [incident])
        (first,) = await assigned_on_topic(kafka, 1, within_s=15)
        assert first.incident_id == incident.incident_id
        app.state.runtime._link.log_lost.set()  # as BrokerLink does when it finds it lost
        events = await assigned_on_topic(kafka, 2, within_s=10)
        await _hook_consumed(app)
    said_again(events)
    assert len(events) == 2, f"said more than once again: {events}"
    republished = await live_pool.fetchval(
        "SELECT republished_at FROM routing.assignments WHERE id = $1", first.assignment_id
    )
    assert republished is not None


async def _hook_consumed(app: FastAPI) -> None:
    """The runtime clears the event when it acts on it (bounded wait)."""
    async with asyncio.timeout(5):
        while app.state.runtime._link.log_lost.is_set():
            await asyncio.sleep(0.05)
