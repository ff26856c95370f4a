"""The sweep: pending alerts are retried, stale claims released, overdue receipts failed over
once, and alerts in doubt failed (never resent). Time moves by `now=`, never by sleeping."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import pytest
from notify.db.claims import claim_pending
from notify.domain.alert import IN_DOUBT_REASON
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.send_alert import send_alert
from notify.usecases.send_window import SendWindow
from notify.usecases.sweep import sweep_once

from tests.factories import assigned
from tests.notify.conftest import alert_row, now, updates

ROUND = {"pending_after_s": 5.0, "receipt_timeout_s": 60.0, "in_doubt_after_s": 60.0}


async def sweep(window: SendWindow, after_s: float = 0.0) -> None:
    await sweep_once(window, **ROUND, now=now() + timedelta(seconds=after_s))
    await window.drain()


async def recorded(pool: asyncpg.Pool) -> tuple[uuid.UUID, uuid.UUID]:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    return event.assignment_id, alert_id


async def test_a_pending_alert_is_sent_once_it_has_waited(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider
) -> None:
    assignment_id, _ = await recorded(pool)  # recorded, never dispatched (a crash, say)
    await sweep(window)
    assert primary.sent == []
    await sweep(window, after_s=6)
    assert len(primary.sent) == 1
    assert (await alert_row(pool, assignment_id))["status"] == "submitted"


async def test_a_claim_that_never_reached_the_wire_is_released_and_sent(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider
) -> None:
    assignment_id, alert_id = await recorded(pool)
    assert (
        await claim_pending(pool, alert_id, uuid.uuid4()) is not None
    )  # that sender died before submitting
    await sweep(window, after_s=15)
    assert primary.sent == []  # a claim is released after max(10 s, 4 × pending_after_s)
    await sweep(window, after_s=21)
    assert len(primary.sent) == 1
    assert (await alert_row(pool, assignment_id))["status"] == "submitted"


async def test_no_receipt_in_time_resends_once_through_the_other_provider(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, backup: FakeProvider
) -> None:
    assignment_id, alert_id = await recorded(pool)
    await send_alert(window.sending, alert_id)
    await sweep(window, after_s=30)
    assert backup.sent == []
    await sweep(window, after_s=61)
    await sweep(window, after_s=200)  # later rounds never resend again
    assert (len(primary.sent), len(backup.sent)) == (1, 1)
    row = await alert_row(pool, assignment_id)
    assert (row["status"], row["provider"]) == ("submitted", "http")
    assert [(u.status, u.provider) for u in await updates(pool)] == [
        ("submitted", "smpp"),
        ("submitted", "http"),
    ]


async def test_an_alert_whose_submit_was_cut_by_a_crash_is_failed_in_doubt_and_never_resent(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, backup: FakeProvider
) -> None:
    assignment_id, alert_id = await recorded(pool)
    primary.hold()
    sender = asyncio.create_task(send_alert(window.sending, alert_id))
    await primary.wait_on_wire(1)
    sender.cancel()  # the process died with the submit on the wire
    with pytest.raises(asyncio.CancelledError):
        await sender
    primary.release()
    await sweep(window, after_s=30)
    assert (await alert_row(pool, assignment_id))["status"] == "sending"
    await sweep(window, after_s=61)
    row = await alert_row(pool, assignment_id)
    assert (row["status"], row["reason"]) == ("failed", IN_DOUBT_REASON)
    (failed,) = await updates(pool)
    assert (failed.status, failed.reason) == ("failed", IN_DOUBT_REASON)
    await sweep(window, after_s=600)
    assert (primary.on_wire, backup.on_wire) == (1, 0)


async def test_an_alert_no_provider_can_send_is_retried_then_failed(
    pool: asyncpg.Pool, window: SendWindow, primary: FakeProvider, backup: FakeProvider
) -> None:
    assignment_id, alert_id = await recorded(pool)
    for provider in (primary, backup):
        provider.refuse("down", "unavailable", times=2)
    await send_alert(window.sending, alert_id)
    assert (await alert_row(pool, assignment_id))["status"] == "pending"
    await sweep(window, after_s=121)
    (failed,) = await updates(pool)
    assert (failed.status, failed.reason) == ("failed", "no provider could send: down")
