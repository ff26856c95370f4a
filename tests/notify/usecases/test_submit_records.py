"""The two writes around a submit, each one statement: the intent before it (`start_attempt`)
and the outcome after it (`record_submit`), both safe to retry after an unseen commit."""

from __future__ import annotations

import uuid

import asyncpg
from notify.db import early_receipts
from notify.db.attempts import reject_attempt, start_attempt
from notify.db.claims import claim_pending
from notify.db.submits import record_submit
from notify.domain.alert import Alert
from notify.domain.receipt import Receipt
from notify.usecases.record_alert import record_alert
from qorgau_common.db import Connection

from tests.factories import assigned
from tests.notify.conftest import attempts

OWNER = uuid.uuid4()


async def claimed(pool: asyncpg.Pool) -> Alert:
    alert_id = await record_alert(pool, assigned())
    assert alert_id is not None
    alert = await claim_pending(pool, alert_id, OWNER)
    assert alert is not None
    return alert


async def attempting(pool: asyncpg.Pool, conn: Connection, *early: str) -> tuple[Alert, int]:
    """A claimed alert with its intent recorded, and receipts parked for `early` ids."""
    alert = await claimed(pool)
    attempt_id = await start_attempt(conn, alert.id, alert.claim_token, "smpp")
    assert attempt_id is not None
    for message_id in early:
        await early_receipts.park(conn, [("smpp", Receipt(message_id, "DELIVRD"))])
    return alert, attempt_id


async def intent(pool: asyncpg.Pool, alert_id: uuid.UUID) -> object:
    return await pool.fetchval("SELECT intent_at FROM notify.alerts WHERE id = $1", alert_id)


async def test_an_intent_is_one_attempt_and_a_retry_takes_it_up(pool: asyncpg.Pool) -> None:
    alert = await claimed(pool)
    async with pool.acquire() as conn:
        first = await start_attempt(conn, alert.id, alert.claim_token, "smpp")
        again = await start_attempt(conn, alert.id, alert.claim_token, "smpp")  # unseen commit
        other = await start_attempt(conn, alert.id, alert.claim_token, "http")
    assert first is not None
    assert again == first
    assert other not in (None, first)
    assert await attempts(pool) == [("smpp", "submitting"), ("http", "submitting")]
    assert await intent(pool, alert.id) is not None


async def test_a_lost_claim_records_no_intent(pool: asyncpg.Pool) -> None:
    alert = await claimed(pool)
    async with pool.acquire() as conn:
        assert await start_attempt(conn, alert.id, uuid.uuid4(), "smpp") is None
    assert await attempts(pool) == []
    assert await intent(pool, alert.id) is None


async def test_a_submit_is_recorded_once_with_the_receipts_that_came_first(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        alert, attempt_id = await attempting(pool, conn, "m-2", "m-9")  # m-9: another alert's
        ids = ("m-1", "m-2")
        recorded = await record_submit(
            conn, alert.id, alert.claim_token, attempt_id, "smpp", ids, 2
        )
        again = await record_submit(conn, alert.id, alert.claim_token, attempt_id, "smpp", ids, 2)
    assert recorded is not None
    assert (recorded.alert.status, recorded.alert.provider_message_ids) == ("submitted", ids)
    assert recorded.early == [Receipt("m-2", "DELIVRD")]
    assert again is None  # committed already: it stands, and nothing more is taken
    assert await attempts(pool) == [("smpp", "submitted")]
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 1
    assert await intent(pool, alert.id) is None


async def test_a_submit_after_the_claim_ended_records_only_the_attempt(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        alert, attempt_id = await attempting(pool, conn, "m-1")
        await conn.execute("UPDATE notify.alerts SET status = 'failed' WHERE id = $1", alert.id)
        ids = ("m-1",)
        assert (
            await record_submit(conn, alert.id, alert.claim_token, attempt_id, "smpp", ids, 1)
            is None
        )
    assert await attempts(pool) == [("smpp", "submitted")]
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 1


async def test_a_refused_submit_ends_its_attempt_and_its_intent_together(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        alert, attempt_id = await attempting(pool, conn)
        await reject_attempt(conn, attempt_id, "submit_sm rejected: 0x0000000b")
    assert await attempts(pool) == [("smpp", "rejected")]
    reason = await pool.fetchval("SELECT reason FROM notify.attempts WHERE id = $1", attempt_id)
    assert reason == "submit_sm rejected: 0x0000000b"
    assert await intent(pool, alert.id) is None  # nothing went out: no submit in doubt
