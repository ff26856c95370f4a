"""A final delivery receipt marks its alert delivered or failed; anything else changes nothing."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from notify.domain.receipt import Receipt
from notify.providers.base import Submitted
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import apply_stranded_receipts, record_receipt
from notify.usecases.send_alert import Sending, send_alert
from notify.usecases.send_window import SendWindow
from qorgau_common.unit_of_work import shared_transaction

from tests.factories import assigned
from tests.notify.conftest import alert_row, updates


async def submitted(pool: asyncpg.Pool, sending: Sending) -> uuid.UUID:
    event = assigned()
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    return event.assignment_id


async def test_a_delivered_receipt_marks_the_alert_delivered(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await submitted(pool, sending)
    (message_id,) = primary.sent[0].message_ids
    assert await record_receipt(pool, "smpp", Receipt(message_id, "DELIVRD"))
    _, delivered = await updates(pool)
    assert (delivered.status, delivered.reason, delivered.provider) == ("delivered", None, "smpp")
    row = await alert_row(pool, assignment_id)
    assert row["status"] == "delivered"
    assert row["delivered_at"] is not None
    assert await record_receipt(pool, "smpp", Receipt(message_id, "DELIVRD"))  # matched again,
    assert [u.status for u in await updates(pool)] == ["submitted", "delivered"]  # told once


async def test_a_failed_receipt_fails_the_alert_with_the_state(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await submitted(pool, sending)
    (message_id,) = primary.sent[0].message_ids
    assert await record_receipt(pool, "smpp", Receipt(message_id, "UNDELIV"))
    _, failed = await updates(pool)
    assert (failed.status, failed.reason) == ("failed", "delivery receipt: UNDELIV")
    assert (await alert_row(pool, assignment_id))["status"] == "failed"


async def test_interim_unknown_and_other_providers_receipts_change_nothing(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await submitted(pool, sending)
    (message_id,) = primary.sent[0].message_ids
    assert not await record_receipt(pool, "smpp", Receipt(message_id, "ENROUTE"))
    assert not await record_receipt(pool, "smpp", Receipt("no-such-id", "DELIVRD"))
    assert not await record_receipt(pool, "http", Receipt(message_id, "DELIVRD"))
    assert [u.status for u in await updates(pool)] == ["submitted"]
    assert (await alert_row(pool, assignment_id))["status"] == "submitted"


async def test_receipts_that_beat_their_submits_record_are_applied_when_it_is_recorded(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """The SMSC sends the receipt right after its submit_sm_resp; under load it is handled
    before notify has recorded that submit's message id. 16 sends at once, every receipt
    first: none may stay `submitted`."""
    count = 16
    window = SendWindow(sending, window=count)
    events = [assigned() for _ in range(count)]
    primary.hold()
    try:
        for event in events:
            alert_id = await record_alert(pool, event)
            assert alert_id is not None
            await window.dispatch(alert_id)
        await primary.wait_on_wire(count)
        early = [Receipt(f"smpp-{n}", "DELIVRD") for n in range(1, count + 1)]
        results = await asyncio.gather(*(record_receipt(pool, "smpp", r) for r in early))
        assert not any(results), "a receipt matched before any submit was recorded"
    finally:
        primary.release()
    await asyncio.wait_for(window.drain(), 30)
    statuses = [(await alert_row(pool, e.assignment_id))["status"] for e in events]
    assert statuses == ["delivered"] * count
    delivered = [u for u in await updates(pool) if u.status == "delivered"]
    assert sorted(u.assignment_id for u in delivered) == sorted(e.assignment_id for e in events)
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 0


async def two_parts(pool: asyncpg.Pool, sending: Sending, primary: FakeProvider) -> uuid.UUID:
    primary.answer(Submitted(("part-1", "part-2")))
    return await submitted(pool, sending)


async def test_a_receipt_per_part_marks_a_two_part_alert_delivered_once(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await two_parts(pool, sending, primary)
    assert await record_receipt(pool, "smpp", Receipt("part-1", "DELIVRD"))
    assert await record_receipt(pool, "smpp", Receipt("part-2", "DELIVRD"))
    assert [u.status for u in await updates(pool)] == ["submitted", "delivered"]
    assert (await alert_row(pool, assignment_id))["status"] == "delivered"


async def test_a_part_that_failed_after_another_was_delivered_fails_the_alert(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await two_parts(pool, sending, primary)
    await record_receipt(pool, "smpp", Receipt("part-1", "DELIVRD"))
    await record_receipt(pool, "smpp", Receipt("part-2", "UNDELIV"))
    await record_receipt(pool, "smpp", Receipt("part-1", "DELIVRD"))  # a repeat: no way back
    assert [u.status for u in await updates(pool)] == ["submitted", "delivered", "failed"]
    assert (await alert_row(pool, assignment_id))["status"] == "failed"


async def test_a_receipt_never_overwrites_the_officers_answer(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    assignment_id = await two_parts(pool, sending, primary)
    await pool.execute(
        "UPDATE notify.alerts SET status = 'acknowledged' WHERE assignment_id = $1", assignment_id
    )
    await record_receipt(pool, "smpp", Receipt("part-2", "DELIVRD"))
    assert [u.status for u in await updates(pool)] == ["submitted"]
    assert (await alert_row(pool, assignment_id))["status"] == "acknowledged"


async def test_a_receipt_finds_and_marks_its_alert_in_one_statement(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """Found and marked together (the alert locked as before), then its event: two in all."""
    await submitted(pool, sending)
    (message_id,) = primary.sent[0].message_ids
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        assert await record_receipt(pool, "smpp", Receipt(message_id, "DELIVRD"))
    touching = [s for s in statements if "notify.alerts" in s or "outbox" in s]
    assert len(touching) == 2, touching
    assert [u.status for u in await updates(pool)] == ["submitted", "delivered"]


async def test_the_message_id_index_has_no_pending_list(pool: asyncpg.Pool) -> None:
    """Every lookup would scan GIN's pending list in full (migration 0007)."""
    options = await pool.fetchval(
        "SELECT reloptions FROM pg_class WHERE oid = 'notify.alerts_by_message_id'::regclass"
    )
    assert "fastupdate=off" in options


async def test_a_receipt_parked_while_its_submit_was_committing_is_applied_by_the_sweep(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    """The race left over: the receipt found no alert (its submit's record not yet
    committed) and was parked after that record had taken the early receipts. Left alone it
    would wait until the receipt timeout resent the alert; the sweep applies it instead."""
    assignment_id = await two_parts(pool, sending, primary)
    for part in ("part-1", "part-2"):  # parked as the race leaves them
        await pool.execute(
            "INSERT INTO notify.early_receipts (provider, message_id, state)"
            " VALUES ('smpp', $1, 'DELIVRD')",
            part,
        )
    assert await apply_stranded_receipts(pool) == 2
    assert (await alert_row(pool, assignment_id))["status"] == "delivered"
    assert [u.status for u in await updates(pool)] == ["submitted", "delivered"]
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 0
    assert await apply_stranded_receipts(pool) == 0


async def test_the_sweep_leaves_a_receipt_that_is_still_early(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    await pool.execute(
        "INSERT INTO notify.early_receipts (provider, message_id, state)"
        " VALUES ('smpp', 'not-yet', 'DELIVRD')"
    )
    assert await apply_stranded_receipts(pool) == 0
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 1
