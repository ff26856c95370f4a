"""The outbox relay over real PostgreSQL and a real broker."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from faststream.kafka import KafkaBroker
from qorgau_common.db import create_pool
from qorgau_common.outbox import OutboxMessage, OutboxRelay, enqueue
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported

from tests.harness import read_topic, values

pytestmark = pytest.mark.integration


def event(n: int = 0) -> IncidentReported:
    incident = uuid.uuid4()
    return IncidentReported(
        producer="intake",
        correlation_id=incident,
        incident_id=incident,
        short_code=f"AAA{n % 10}",
        channel="call_102",
        received_at=datetime.now(UTC),
        district="yesil",
        address_line=f"ул. Кенесары {n}",
        priority="standard",
        risk_level="standard",
    )


async def add(pool: asyncpg.Pool, *events: IncidentReported) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for e in events:
            await enqueue(conn, "intake", INCIDENT_REPORTED.name, str(e.incident_id), e)


@pytest.fixture
async def pool(database_url: str) -> asyncpg.Pool:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()


@pytest.fixture
async def broker(kafka: str) -> KafkaBroker:
    broker = KafkaBroker(kafka, acks="all")
    await broker.start()
    yield broker
    await broker.stop()


def publisher(broker: KafkaBroker, fail_after: int | None = None):  # type: ignore[no-untyped-def]
    sent: list[int] = []

    async def publish(message: OutboxMessage) -> None:
        if fail_after is not None and len(sent) >= fail_after:
            raise ConnectionError("broker gone")
        await broker.publish(
            message.payload, topic=message.topic, key=message.key, headers=message.headers
        )
        sent.append(message.id)

    return publish, sent


async def test_relay_publishes_committed_events_in_order_with_key_and_headers(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    events = [event(n) for n in range(5)]
    await add(pool, *events)
    publish, _ = publisher(broker)
    assert await OutboxRelay(pool, "intake", publish).drain() == 5
    records = await read_topic(kafka, INCIDENT_REPORTED.name, 5)
    assert sorted(v["incident_id"] for v in values(records)) == sorted(
        str(e.incident_id) for e in events
    )
    first = next(r for r in records if r.key == str(events[0].incident_id).encode())
    assert dict(first.headers)["event_type"] == b"incident.reported"
    unsent = await pool.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL")
    assert unsent == 0


async def test_a_rolled_back_transaction_publishes_nothing(
    pool: asyncpg.Pool, broker: KafkaBroker
) -> None:
    with contextlib.suppress(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            e = event()
            await enqueue(conn, "intake", INCIDENT_REPORTED.name, str(e.incident_id), e)
            raise RuntimeError("the state change failed")
    publish, sent = publisher(broker)
    assert await OutboxRelay(pool, "intake", publish).drain() == 0
    assert sent == []


async def test_a_relay_that_dies_midway_loses_nothing_and_a_new_one_finishes(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    await add(pool, *[event(n) for n in range(4)])
    failing, sent_first = publisher(broker, fail_after=2)
    with pytest.raises(ConnectionError):
        await OutboxRelay(pool, "intake", failing).drain()
    # What reached the broker before the failure is marked sent, so it is not resent.
    publish, sent_second = publisher(broker)
    assert await OutboxRelay(pool, "intake", publish).drain() == 2
    assert set(sent_first).isdisjoint(sent_second)
    assert len(await read_topic(kafka, INCIDENT_REPORTED.name, 4)) == 4
    assert await OutboxRelay(pool, "intake", publish).drain() == 0


async def test_relay_wakes_on_notify_without_waiting_for_the_poll(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    publish, _ = publisher(broker)
    relay = OutboxRelay(pool, "intake", publish, poll_interval_s=3600)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.3)  # the relay is now waiting on LISTEN
        e = event()
        await add(pool, e)
        records = await read_topic(kafka, INCIDENT_REPORTED.name, 1, within_s=20)
        assert values(records)[0]["incident_id"] == str(e.incident_id)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_only_one_relay_publishes_at_a_time(
    pool: asyncpg.Pool, broker: KafkaBroker, kafka: str
) -> None:
    await add(pool, *[event(n) for n in range(20)])
    publish, sent = publisher(broker)
    relays = [OutboxRelay(pool, "intake", publish, batch_size=3) for _ in range(3)]
    await asyncio.gather(*(r.drain() for r in relays))
    await OutboxRelay(pool, "intake", publish).drain()
    assert len(sent) == len(set(sent)) == 20
