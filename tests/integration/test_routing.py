"""Routing over real PostgreSQL and a real broker."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from qorgau_contracts import (
    INCIDENT_ASSIGNED,
    INCIDENT_REPORTED,
    DeadLetter,
    IncidentAssigned,
    IncidentReported,
)
from routing.config import RoutingSettings
from routing.main import create_app
from routing.seed import seed_demo

from tests.factories import reported
from tests.harness import FAST_KAFKA, publish, read_topic, topic_size

pytestmark = pytest.mark.integration


@pytest.fixture
async def routing(database_url: str, kafka: str) -> AsyncIterator[str]:
    await seed_demo(database_url, days=2)
    app = create_app(
        RoutingSettings(database_url=database_url, kafka_bootstrap_servers=kafka, **FAST_KAFKA)
    )
    async with app.router.lifespan_context(app):
        yield database_url


async def send(kafka: str, event: IncidentReported) -> None:
    await publish(
        kafka,
        INCIDENT_REPORTED.name,
        event.model_dump_json().encode(),
        str(event.incident_id).encode(),
    )


async def test_an_incident_is_assigned_to_an_on_shift_officer_of_its_district(
    routing: str, kafka: str
) -> None:
    event = reported()
    await send(kafka, event)
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 1)
    assigned = IncidentAssigned.model_validate_json(records[0].value)
    assert assigned.incident_id == event.incident_id
    assert assigned.correlation_id == event.correlation_id
    assert assigned.officer_id.startswith("NUR-")
    assert assigned.attempt == 1
    assert (assigned.ack_deadline - assigned.occurred_at).total_seconds() == pytest.approx(
        300, abs=5
    )
    conn = await asyncpg.connect(routing)
    try:
        on_shift = await conn.fetchval(
            "SELECT count(*) FROM routing.shifts WHERE officer_id = $1"
            " AND starts_at <= now() AND ends_at > now()",
            assigned.officer_id,
        )
    finally:
        await conn.close()
    assert on_shift == 1


async def test_a_redelivered_event_is_assigned_once(routing: str, kafka: str) -> None:
    event = reported()
    await send(kafka, event)
    await send(kafka, event)
    marker = reported()
    await send(kafka, marker)  # once this one is assigned, both copies were consumed
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 2)
    assert {IncidentAssigned.model_validate_json(r.value).incident_id for r in records} == {
        event.incident_id,
        marker.incident_id,
    }
    conn = await asyncpg.connect(routing)
    try:
        count = await conn.fetchval(
            "SELECT count(*) FROM routing.assignments WHERE incident_id = $1", event.incident_id
        )
    finally:
        await conn.close()
    assert count == 1


async def test_load_is_spread_over_the_district(routing: str, kafka: str) -> None:
    events = [reported() for _ in range(8)]
    for e in events:
        await send(kafka, e)
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 8)
    officers = [IncidentAssigned.model_validate_json(r.value).officer_id for r in records]
    # Four Nura inspectors are on shift at any hour: two cases each.
    assert sorted({officers.count(o) for o in officers}) == [2]


async def test_an_unknown_or_missing_district_goes_to_the_supervisor(
    routing: str, kafka: str
) -> None:
    await send(kafka, reported(district="atlantis"))
    await send(kafka, reported(district=None, district_unresolved_reason="district not given"))
    records = await read_topic(kafka, INCIDENT_ASSIGNED.name, 2)
    assert {IncidentAssigned.model_validate_json(r.value).officer_id[:4] for r in records} == {
        "SUP-"
    }
    conn = await asyncpg.connect(routing)
    try:
        reasons = await conn.fetch("SELECT status_reason FROM routing.incidents ORDER BY 1")
    finally:
        await conn.close()
    assert [r["status_reason"] for r in reasons] == [
        "district not given",
        "unknown district 'atlantis'",
    ]


async def test_a_poison_message_goes_to_the_dlq_and_the_consumer_goes_on(
    routing: str, kafka: str
) -> None:
    await publish(kafka, INCIDENT_REPORTED.name, b'{"not": "an incident"}', b"poison")
    good = reported()
    await send(kafka, good)
    assigned = await read_topic(kafka, INCIDENT_ASSIGNED.name, 1)
    assert IncidentAssigned.model_validate_json(assigned[0].value).incident_id == good.incident_id
    dead = DeadLetter.model_validate_json(
        (await read_topic(kafka, INCIDENT_REPORTED.dlq, 1))[0].value
    )
    assert dead.service == "routing"
    assert "incident_id: Field required" in dead.error
    assert await topic_size(kafka, INCIDENT_REPORTED.dlq) == 1
