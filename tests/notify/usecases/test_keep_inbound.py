"""What the SMSC delivers is kept before it is acted on: a database blip, or a crash between
receiving and acting, loses no officer's answer, and nothing is acted on twice."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from notify.db import inbound
from notify.db.inbound import Inbound
from notify.usecases.answer_reply import answer_reply
from notify.usecases.keep_inbound import InboundKeeper, InboundPolicy
from notify.usecases.send_alert import Sending

from tests.notify.conftest import replies_sent
from tests.notify.usecases.test_answer_reply import PHONE, alerted

FAST = InboundPolicy(keep_for_s=30, sweep_after_s=0, max_attempts=3, retry_max_s=0.05)


class Blinking:
    """A pool whose first `away` checkouts fail as a database that is away would."""

    def __init__(self, pool: asyncpg.Pool, away: int) -> None:
        self._pool = pool
        self.away = away

    def acquire(self) -> Any:
        if self.away > 0:
            self.away -= 1
            raise ConnectionRefusedError("the database is away")
        return self._pool.acquire()


def keeper_for(pool: Any, sending: Sending, policy: InboundPolicy = FAST) -> InboundKeeper:
    async def act_on_reply(row: Inbound) -> None:
        await answer_reply(
            pool,
            sending.routes,
            row.body["phone"],
            row.body["text"],
            now=row.received_at,
            inbound_id=row.id,
        )

    async def act_on_receipt(row: Inbound) -> None:
        raise ValueError("a receipt this notify cannot apply")

    return InboundKeeper(lambda: pool, {"reply": act_on_reply, "receipt": act_on_receipt}, policy)


async def kept(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT kind, attempts FROM notify.inbound ORDER BY id")


async def test_a_reply_that_meets_a_database_blip_is_kept_once_it_is_back_and_applied_once(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    case = await alerted(pool, sending, short_code="BLNK")
    blinking = Blinking(pool, away=3)
    keeper = keeper_for(blinking, sending)
    await keeper.receive("reply", "smpp", {"phone": PHONE, "text": "1 BLNK"})
    assert blinking.away == 0
    (reply,) = await replies_sent(pool)
    assert reply.assignment_id == case.assignment_id
    assert await kept(pool) == []  # acted on, and removed with its effect
    assert await keeper.sweep() == 0
    assert len(await replies_sent(pool)) == 1


async def test_a_reply_kept_by_a_process_that_died_is_applied_by_the_sweep_once(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    await alerted(pool, sending, short_code="DIED")
    async with pool.acquire() as conn:
        await inbound.keep(conn, "reply", "smpp", {"phone": PHONE, "text": "1 DIED"})
    keeper = keeper_for(pool, sending)
    # Two replicas sweeping at once: the row is acted on by one of them only.
    await asyncio.gather(keeper.sweep(), keeper_for(pool, sending).sweep())
    assert len(await replies_sent(pool)) == 1
    assert await kept(pool) == []


async def test_one_that_keeps_failing_is_parked_for_a_person_not_retried_for_ever(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    keeper = keeper_for(pool, sending)
    await keeper.receive("receipt", "smpp", {"message_id": "m-1", "state": "DELIVRD"})
    assert [tuple(r) for r in await kept(pool)] == [("receipt", 1)]
    for _ in range(4):
        await keeper.sweep()
    assert [tuple(r) for r in await kept(pool)] == [("receipt", FAST.max_attempts)]
    async with pool.acquire() as conn:
        assert await inbound.counts(conn, FAST.max_attempts) == (0, 1)


async def test_a_database_away_until_shutdown_gives_up_and_says_so(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    keeper = keeper_for(Blinking(pool, away=10**6), sending)
    receiving = asyncio.create_task(
        keeper.receive("reply", "smpp", {"phone": PHONE, "text": "1 GONE"})
    )
    await asyncio.sleep(0.2)
    keeper.stop()
    await asyncio.wait_for(receiving, 5)  # shutdown is not held up by a database that is away
    assert await kept(pool) == []


def recording_keeper(pool: asyncpg.Pool, seen: list[tuple[int, str, str]]) -> InboundKeeper:
    """Acts by noting each row's id, the transaction that kept it, and what it held."""

    async def note(row: Inbound) -> None:
        async with pool.acquire() as conn, conn.transaction():
            xmin = await conn.fetchval(
                "SELECT xmin::text FROM notify.inbound WHERE id = $1", row.id
            )
            assert await inbound.take(conn, row.id)
        seen.append((row.id, str(xmin), row.body.get("text") or row.body["message_id"]))

    return InboundKeeper(lambda: pool, {"reply": note, "receipt": note}, FAST)


async def test_what_arrives_together_is_kept_in_one_statement_each_in_its_own_row(
    pool: asyncpg.Pool,
) -> None:
    seen: list[tuple[int, str, str]] = []
    keeper = recording_keeper(pool, seen)
    await asyncio.gather(
        *(
            keeper.receive("receipt", "smpp", {"message_id": f"m-{n}", "state": "DELIVRD"})
            for n in range(10)
        ),
        keeper.receive("reply", "smpp", {"phone": PHONE, "text": "1 K7Q2"}),
    )
    assert len({xmin for _, xmin, _ in seen}) <= 2  # the first alone, the rest as one group
    by_id = sorted(seen)
    assert [what for _, _, what in by_id] == [*(f"m-{n}" for n in range(10)), "1 K7Q2"]
    assert await kept(pool) == []


async def test_one_that_cannot_be_kept_fails_alone_and_the_rest_of_its_group_is_kept(
    pool: asyncpg.Pool,
) -> None:
    seen: list[tuple[int, str, str]] = []
    keeper = recording_keeper(pool, seen)
    results = await asyncio.gather(
        keeper.receive("reply", "smpp", {"phone": PHONE, "text": "first"}),
        keeper.receive("reply", "smpp", {"phone": PHONE, "text": "x", "odd": object()}),
        keeper.receive("reply", "smpp", {"phone": PHONE, "text": "last"}),
        return_exceptions=True,
    )
    assert isinstance(results[1], TypeError)
    assert sorted(what for _, _, what in seen) == ["first", "last"]


async def test_a_nul_in_an_sms_is_kept_as_a_replacement_character(pool: asyncpg.Pool) -> None:
    """jsonb cannot hold U+0000, and a UCS-2 SMS can carry it: kept, never refused."""
    seen: list[tuple[int, str, str]] = []
    await recording_keeper(pool, seen).receive("reply", "smpp", {"phone": PHONE, "text": "1\x00"})
    assert [what for _, _, what in seen] == ["1\ufffd"]
