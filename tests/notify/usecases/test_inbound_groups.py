"""What was kept together is acted on together, in one shared transaction; one row that
cannot be acted on rolls its group back and fails alone. A reply locks its phone, not the
phone's alert rows."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import asyncpg
import pytest
from notify.db import inbound
from notify.db.alerts import alerts_for_phone
from notify.db.inbound import Inbound
from notify.metrics import INBOUND_GROUP_FALLBACKS
from notify.usecases.keep_inbound import InboundKeeper, InboundPolicy
from notify.usecases.send_alert import Sending
from qorgau_common.unit_of_work import unit_of_work

from tests.notify.usecases.test_answer_reply import PHONE, alerted
from tests.notify.usecases.test_keep_inbound import FAST


async def acting_keeper(
    pool: asyncpg.Pool, *, refuse: str = "", policy: InboundPolicy = FAST
) -> InboundKeeper:
    """Acts as notify's own acts do (`unit_of_work`, the row taken in the effect's
    transaction), writing what each row held and the transaction it ran in; the text
    `refuse` fails after it wrote (its group must roll back)."""
    await pool.execute("CREATE TABLE notify.acted (what text, txid bigint)")

    async def act(row: Inbound) -> None:
        what = row.body.get("text") or row.body["message_id"]
        async with unit_of_work(pool) as conn:
            assert await inbound.take(conn, row.id)
            await conn.execute("INSERT INTO notify.acted VALUES ($1, txid_current())", what)
            if what == refuse:
                raise ValueError("a row this notify cannot act on")

    return InboundKeeper(lambda: pool, {"reply": act, "receipt": act}, policy)


async def acted(pool: asyncpg.Pool) -> list[tuple[str, int]]:
    """What was acted on and committed, and the transaction of each."""
    rows = await pool.fetch("SELECT what, txid FROM notify.acted ORDER BY what")
    return [(r["what"], r["txid"]) for r in rows]


async def receive_many(keeper: InboundKeeper, texts: list[str]) -> list[object]:
    return await asyncio.gather(
        *(keeper.receive("reply", "smpp", {"phone": PHONE, "text": t}) for t in texts),
        return_exceptions=True,
    )


async def left(pool: asyncpg.Pool) -> list[tuple[str, int]]:
    rows = await pool.fetch("SELECT body->>'text' AS text, attempts FROM notify.inbound")
    return [(r["text"], r["attempts"]) for r in rows]


async def test_what_was_kept_together_is_acted_on_in_one_transaction(pool: asyncpg.Pool) -> None:
    texts = [f"1 C{n:03}" for n in range(12)]
    assert await receive_many(await acting_keeper(pool), texts) == [None] * 12
    done = await acted(pool)
    assert [what for what, _ in done] == texts
    assert len({txid for _, txid in done}) <= 2  # the first alone at most, the rest as one
    assert await left(pool) == []


async def test_one_that_cannot_be_acted_on_fails_alone_and_the_rest_apply_once(
    pool: asyncpg.Pool,
) -> None:
    fallbacks = INBOUND_GROUP_FALLBACKS._value.get()
    texts = [f"1 C{n:03}" for n in range(8)]
    keeper = await acting_keeper(pool, refuse="1 C003")
    assert await receive_many(keeper, texts) == [None] * 8
    done = [what for what, _ in await acted(pool)]
    assert done == [t for t in texts if t != "1 C003"]  # each once, the refused one not at all
    assert await left(pool) == [("1 C003", 1)]  # kept, counted, for the sweep
    assert INBOUND_GROUP_FALLBACKS._value.get() == fallbacks + 1


async def test_beyond_the_bound_rows_wait_in_the_table_and_each_is_acted_on_once(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backlog drains: at most `in_hand_max` kept rows wait in memory; the rest wait in
    `notify.inbound` and are taken from there, oldest first, in groups of `group_max`."""
    from_table: list[int] = []
    fresh = inbound.fresh

    async def counted(conn: asyncpg.Connection, limit: int) -> list[Inbound]:
        rows = await fresh(conn, limit)
        from_table.append(len(rows))
        return rows

    monkeypatch.setattr(inbound, "fresh", counted)
    policy = replace(FAST, in_hand_max=3, group_max=4)
    keeper = await acting_keeper(pool, policy=policy)
    texts = [f"1 C{n:03}" for n in range(30)]
    assert await receive_many(keeper, texts) == [None] * 30
    await asyncio.wait_for(keeper.settled(), 10)
    assert [what for what, _ in await acted(pool)] == texts  # each once
    assert await left(pool) == []
    assert sum(from_table) >= 20  # most came from the table
    assert max(from_table) <= 4


async def test_replies_from_one_phone_wait_for_each_other_and_not_for_its_alert_rows(
    pool: asyncpg.Pool, sending: Sending
) -> None:
    await alerted(pool, sending)
    waiting = (  # in this test's database: other workers share the server
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    async with (
        pool.acquire() as first,
        pool.acquire() as second,
        pool.acquire() as receipt,
        receipt.transaction(),  # a receipt holds the phone's alert row
    ):
        await receipt.execute("SELECT 1 FROM notify.alerts WHERE phone = $1 FOR UPDATE", PHONE)
        async with first.transaction():
            assert len(await asyncio.wait_for(alerts_for_phone(first, PHONE), 5)) == 1

            async def second_reply() -> None:
                async with second.transaction():
                    await alerts_for_phone(second, PHONE)

            other = asyncio.create_task(second_reply())
            async with asyncio.timeout(5):  # seen waiting on the phone's lock
                while not await pool.fetchval(waiting):
                    assert not other.done(), "two replies of one phone ran at once"
                    await asyncio.sleep(0.01)
        await asyncio.wait_for(other, 5)


async def test_a_group_takes_its_rows_at_once_and_skips_one_another_transaction_has(
    pool: asyncpg.Pool,
) -> None:
    arrived = [("reply", "smpp", {"phone": PHONE, "text": t}) for t in ("a", "b", "c")]
    async with pool.acquire() as conn:
        first, second, third = await inbound.keep_all(conn, arrived)  # type: ignore[arg-type]
    async with pool.acquire() as sweep, sweep.transaction():
        assert await inbound.take(sweep, second)  # the sweep has it, not yet committed
        async with pool.acquire() as conn, conn.transaction():
            taken = await inbound.take_all(conn, [first, second, third])
            assert taken == {first, third}
            with inbound.taken_ahead(taken):
                assert await inbound.take(conn, first)
                assert not await inbound.take(conn, second)  # the sweep's
                assert not await inbound.take(conn, first)  # answered once
    assert await left(pool) == []


async def test_rows_another_replica_holds_are_left_to_it_not_spun_on(pool: asyncpg.Pool) -> None:
    """A table pass that finds every row taken by another replica's open transaction stops
    (that replica acts on them); it does not read the same rows again and again."""
    keeper = await acting_keeper(pool, policy=replace(FAST, group_max=2))
    arrived = [("reply", "smpp", {"phone": PHONE, "text": t}) for t in ("a", "b")]
    async with pool.acquire() as conn:
        ids = await inbound.keep_all(conn, arrived)  # type: ignore[arg-type]
    async with pool.acquire() as other:
        holding = other.transaction()
        await holding.start()
        assert await inbound.take_all(other, ids) == set(ids)  # the other replica's, open
        await asyncio.wait_for(keeper._act_left_in_table(), 5)  # returns: nothing to take
        await holding.rollback()  # that replica went away without acting on them
    assert await acted(pool) == []
    await asyncio.wait_for(keeper._act_left_in_table(), 5)  # back in the table: ours now
    assert [what for what, _ in await acted(pool)] == ["a", "b"]
