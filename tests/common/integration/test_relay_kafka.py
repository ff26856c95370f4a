"""The outbox relay publishing to a real broker: key, headers, order, acknowledgements."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable

import asyncpg
import pytest
from faststream.kafka import KafkaBroker
from qorgau_common.outbox import OutboxMessage
from qorgau_common.relay import OutboxRelay
from qorgau_contracts import INCIDENT_REPORTED

from tests.common.support import add, event
from tests.harness import read_topic, values

pytestmark = pytest.mark.integration


@pytest.fixture
async def broker(kafka: str) -> AsyncIterator[KafkaBroker]:
    broker = KafkaBroker(kafka, acks="all")
    await broker.start()
    yield broker
    await broker.stop()


def sender(broker: KafkaBroker):  # type: ignore[no-untyped-def]
    async def send(message: OutboxMessage) -> Awaitable[object]:
        delivery: Awaitable[object] = await broker.publish(
            message.payload,
            topic=message.topic,
            key=message.key,
            headers=message.headers,
            no_confirm=True,
        )
        return delivery

    return send


async def test_relay_publishes_committed_events_with_key_and_headers(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    events = [event(n) for n in range(50)]
    await add(pool, *events)
    assert await OutboxRelay(pool, "intake", sender(broker), batch_size=20).drain() == 50
    records = await read_topic(kafka, INCIDENT_REPORTED.name, 50)
    assert sorted(v["incident_id"] for v in values(records)) == sorted(
        str(e.incident_id) for e in events
    )
    first = next(r for r in records if r.key == str(events[0].incident_id).encode())
    assert dict(first.headers)["event_type"] == b"incident.reported"
    assert dict(first.headers)["event_id"] == str(events[0].event_id).encode()
    unsent = await pool.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL")
    assert unsent == 0


async def test_events_of_one_incident_arrive_in_commit_order(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    first = event(0)
    same = [first] + [event(n, first.incident_id) for n in range(1, 6)]
    await add(pool, *same)
    assert await OutboxRelay(pool, "intake", sender(broker)).drain() == 6
    records = await read_topic(kafka, INCIDENT_REPORTED.name, 6)
    assert [v["event_id"] for v in values(records)] == [str(e.event_id) for e in same]
