"""A group's final receipts, marked together, end where the same receipts one by one do.

Seeded random runs of receipts for two two-part alerts (repeats, interim states, failures
after a delivery, an alert the officer answered already and ids nobody sent mixed in): one
copy goes through one shared transaction, as `keep_inbound` acts on a group, the other
receipt by receipt. Each alert's status, reason, delivery stamp and events, and the parked
receipts, must agree; and the group reads and marks its alerts in one statement each.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import asyncpg
from notify.domain.receipt import Receipt
from notify.providers.base import Submitted
from notify.providers.fake import FakeProvider
from notify.usecases.record_alert import record_alert
from notify.usecases.record_receipt import record_receipt
from notify.usecases.send_alert import Sending, send_alert
from qorgau_common.unit_of_work import shared_transaction

from tests.factories import assigned
from tests.notify.conftest import updates

RUNS = 12
STATES = ("DELIVRD", "DELIVRD", "UNDELIV", "EXPIRED", "ENROUTE")


async def two_parts(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider, ids: tuple[str, str]
) -> uuid.UUID:
    event = assigned()
    primary.answer(Submitted(ids))
    alert_id = await record_alert(pool, event)
    assert alert_id is not None
    await send_alert(sending, alert_id)
    return alert_id


def receipts_for(copy: str, run: int, rng: random.Random) -> list[Receipt]:
    """The same random run for each copy: its own message ids, the same states."""
    chosen = []
    for _ in range(rng.randint(2, 9)):
        alert, part = rng.randint(0, 2), rng.randint(1, 2)  # alert 2 was never sent
        chosen.append(Receipt(f"{copy}{run}-{alert}-{part}", rng.choice(STATES)))
    return chosen


async def state(pool: asyncpg.Pool, alert_id: uuid.UUID) -> tuple[Any, ...]:
    row = await pool.fetchrow(
        "SELECT status, reason, delivered_at IS NOT NULL FROM notify.alerts WHERE id = $1",
        alert_id,
    )
    assert row is not None
    told = [(u.status, u.reason) for u in await updates(pool) if u.alert_id == alert_id]
    return tuple(row), told


async def parked(pool: asyncpg.Pool, copy: str, run: int) -> list[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT substr(message_id, length($1) + 1) AS id, state FROM notify.early_receipts"
        " WHERE message_id LIKE $1 || '%' ORDER BY 1, 2",
        f"{copy}{run}-",
    )
    return [(r["id"], r["state"]) for r in rows]


async def test_a_group_of_receipts_marks_what_the_same_receipts_one_by_one_do(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    rng = random.Random(20261202)
    for run in range(RUNS):
        answered = rng.random() < 0.3  # alert 1's officer answered before its receipts
        alerts: dict[str, list[uuid.UUID]] = {}
        for copy in ("g", "a"):
            alerts[copy] = [
                await two_parts(
                    pool, sending, primary, (f"{copy}{run}-{n}-1", f"{copy}{run}-{n}-2")
                )
                for n in range(2)
            ]
            if answered:
                await pool.execute(
                    "UPDATE notify.alerts SET status = 'acknowledged' WHERE id = $1",
                    alerts[copy][1],
                )
        seed = rng.random()
        grouped = receipts_for("g", run, random.Random(seed))
        alone = receipts_for("a", run, random.Random(seed))
        async with shared_transaction(pool):
            for receipt in grouped:
                await record_receipt(pool, "smpp", receipt)
        for receipt in alone:
            await record_receipt(pool, "smpp", receipt)
        for together, one_by_one in zip(alerts["g"], alerts["a"], strict=True):
            assert await state(pool, together) == await state(pool, one_by_one), grouped
        assert await parked(pool, "g", run) == await parked(pool, "a", run), grouped


async def test_a_group_reads_its_alerts_in_one_statement_and_marks_them_in_one(
    pool: asyncpg.Pool, sending: Sending, primary: FakeProvider
) -> None:
    first = await two_parts(pool, sending, primary, ("p-1", "p-2"))
    second = await two_parts(pool, sending, primary, ("q-1", "q-2"))
    receipts = [Receipt(m, "DELIVRD") for m in ("p-1", "q-1", "p-2", "q-2", "early")]
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        for receipt in receipts:
            assert await record_receipt(pool, "smpp", receipt)
    touching = [s for s in statements if "notify.alerts" in s or "early_receipts" in s]
    assert len(touching) == 3, touching  # the read, the marks, the one parked
    for alert_id in (first, second):
        assert await state(pool, alert_id) == (
            ("delivered", None, True),
            [("submitted", None), ("delivered", None)],
        )
    assert await pool.fetchval("SELECT count(*) FROM notify.early_receipts") == 1
