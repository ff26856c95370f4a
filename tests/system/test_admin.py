"""qorgau-admin over a real broker and PostgreSQL: dead letters, replay, outbox backlog."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import asyncpg
import pytest
from qorgau_common.outbox import enqueue
from qorgau_contracts import INCIDENT_ASSIGNED, INCIDENT_REPORTED, DeadLetter, IncidentAssigned
from qorgau_local.admin import (
    outbox_backlog,
    parked_rows,
    read_dead_letters,
    replay,
    retry_parked,
)
from routing.config import RoutingSettings
from routing.main import create_app
from routing.seed import seed_demo

from tests.factories import reported
from tests.harness import FAST_KAFKA, publish, read_topic, serving

pytestmark = pytest.mark.integration


async def test_dead_letters_are_listed_and_a_fixed_one_replays(
    database_url: str, kafka: str
) -> None:
    await seed_demo(database_url, days=2)
    settings = RoutingSettings(
        database_url=database_url, kafka_bootstrap_servers=kafka, **FAST_KAFKA
    )
    async with serving(create_app(settings)):
        await publish(kafka, INCIDENT_REPORTED.name, b'{"broken": true}', b"k-1")
        await read_topic(kafka, INCIDENT_REPORTED.dlq, 1)
        (parked,) = await read_dead_letters(kafka, [INCIDENT_REPORTED.dlq])
        assert parked.letter.service == "routing"
        assert base64.b64decode(parked.letter.value_b64) == b'{"broken": true}'

        # A message that failed for a reason since fixed, parked the same way.
        good = reported()
        now = datetime.now(UTC)
        letter = DeadLetter(
            topic=INCIDENT_REPORTED.name,
            partition=0,
            offset=99,
            key_b64=base64.b64encode(str(good.incident_id).encode()).decode(),
            value_b64=base64.b64encode(good.model_dump_json().encode()).decode(),
            error="RuntimeError('bug, fixed since')",
            service="routing",
            attempts=5,
            first_failed_at=now,
            last_failed_at=now,
        )
        await publish(kafka, INCIDENT_REPORTED.dlq, letter.model_dump_json().encode())
        letters = await read_dead_letters(kafka, [INCIDENT_REPORTED.dlq])
        assert len(letters) == 2
        fixed = [p for p in letters if "fixed since" in p.letter.error]
        assert await replay(kafka, fixed) == 1
        (record,) = await read_topic(kafka, INCIDENT_ASSIGNED.name, 1)
        assert IncidentAssigned.model_validate_json(record.value).incident_id == good.incident_id


async def test_outbox_backlog_counts_unpublished_rows(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        event = reported()
        await enqueue(conn, "intake", INCIDENT_REPORTED.name, str(event.incident_id), event)
    finally:
        await conn.close()
    backlog = {
        schema: (n, age, parked) for schema, n, age, parked in await outbox_backlog(database_url)
    }
    assert backlog["intake"][0] == 1
    assert backlog["intake"][1] is not None
    assert backlog["intake"][2] == 0
    assert backlog["routing"] == (0, None, 0)


async def test_parked_rows_are_listed_and_retried_by_hand(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(2):
            event = reported()
            await enqueue(conn, "intake", INCIDENT_REPORTED.name, str(event.incident_id), event)
        await conn.execute(
            "UPDATE intake.outbox SET parked_at = now(), attempts = 5, last_error = 'too large'"
        )
    finally:
        await conn.close()
    parked = await parked_rows(database_url)
    assert [(r["service"], r["attempts"], r["last_error"]) for r in parked] == [
        ("intake", 5, "too large")
    ] * 2
    assert await retry_parked(database_url, "intake", [parked[0]["id"]]) == 1
    assert [r["id"] for r in await parked_rows(database_url)] == [parked[1]["id"]]
    assert await retry_parked(database_url, "intake", None) == 1
    assert await parked_rows(database_url) == []
