"""Outbox rows and a fake send for the relay's tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import UTC, datetime

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from qorgau_common.kafka import topic_partitions
from qorgau_common.outbox import OutboxMessage, enqueue
from qorgau_contracts import INCIDENT_REPORTED, IncidentReported


def event(n: int = 0, incident: uuid.UUID | None = None) -> IncidentReported:
    incident = incident or uuid.uuid4()
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


class FakeSend:
    """Records what was sent; fails the messages `fail` says should fail."""

    def __init__(self, fail: dict[bytes | None, BaseException] | None = None) -> None:
        self.sent: list[OutboxMessage] = []
        self.fail = fail or {}
        self.fail_after: int | None = None

    async def __call__(self, message: OutboxMessage) -> Awaitable[object]:
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            future.set_exception(ConnectionError("broker gone"))
        elif message.key in self.fail:
            future.set_exception(self.fail[message.key])
        else:
            self.sent.append(message)
            future.set_result(None)
        return future

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.sent]


async def partition_counts(bootstrap: str) -> dict[str, int]:
    """The broker's topics of ours, with their partition counts. All topics are described:
    asking for a topic by name may auto-create it."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    ours = topic_partitions()
    return {t["topic"]: len(t["partitions"]) for t in described if t["topic"] in ours}
