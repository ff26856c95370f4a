"""Notify's alerts from one shared batch: one transaction, and every send after its commit."""

from __future__ import annotations

import asyncio

import asyncpg
from notify.consumers import NotifyDeps, on_incident_assigned
from notify.providers.fake import FakeProvider
from notify.usecases.send_alert import Sending
from notify.usecases.send_window import SendWindow
from qorgau_common.consumer import EventConsumer, SharedBatches
from qorgau_contracts import INCIDENT_ASSIGNED, IncidentAssigned

from tests.batches import FakeBroker, FakeMessage, FakeRecord
from tests.factories import assigned
from tests.notify.conftest import alert_row


async def test_a_batch_of_assignments_commits_once_then_sends_every_alert(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    events = [assigned() for _ in range(5)]
    window = SendWindow(sending, window=8)
    deps = NotifyDeps(pool, window)
    consumer = EventConsumer(FakeBroker(), "notify", max_attempts=2, backoff_max_s=0.0)  # type: ignore[arg-type]

    async def apply(event: IncidentAssigned) -> None:
        await on_incident_assigned(event, deps)

    message = FakeMessage(
        tuple(
            FakeRecord(INCIDENT_ASSIGNED.name, 0, n, None, e.model_dump_json().encode())
            for n, e in enumerate(events)
        )
    )
    shared = SharedBatches(lambda: pool, frozenset({INCIDENT_ASSIGNED.name}), inbox="notify")
    await consumer.consume_batch(message, lambda _: (IncidentAssigned, apply), shared=shared)  # type: ignore[arg-type]
    await asyncio.wait_for(window.drain(), 30)

    assert message.acks == [5]
    assert len(primary.sent) == 5
    statuses = [(await alert_row(pool, e.assignment_id))["status"] for e in events]
    assert statuses == ["submitted"] * 5
    xids = await pool.fetchval(
        "SELECT count(DISTINCT xmin::text) FROM notify.inbox WHERE event_id = ANY($1)",
        [e.event_id for e in events],
    )
    assert xids == 1
