"""Group commit: writes that arrive together share one transaction; one that fails rolls its
group back and fails alone, and only its caller hears of it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from qorgau_common.group_commit import GROUP_FALLBACKS, GroupCommit

TABLE = "CREATE TABLE written (what text PRIMARY KEY, txid bigint NOT NULL)"


def writer(what: str, *, fail: bool = False):  # type: ignore[no-untyped-def]
    async def write(conn: asyncpg.Connection) -> str:
        await conn.execute("INSERT INTO written VALUES ($1, txid_current())", what)
        if fail:
            raise ValueError(f"{what} cannot be written")
        return what.upper()

    return write


async def written(pool: asyncpg.Pool) -> dict[str, int]:
    return {r["what"]: r["txid"] for r in await pool.fetch("SELECT what, txid FROM written")}


async def test_writes_that_arrive_together_share_one_transaction(pool: asyncpg.Pool) -> None:
    await pool.execute(TABLE)
    group = GroupCommit(lambda: pool, "test")
    results = await asyncio.gather(*(group.run(writer(f"w{n}")) for n in range(10)))
    assert results == [f"W{n}" for n in range(10)]
    txids = await written(pool)
    assert sorted(txids) == sorted(f"w{n}" for n in range(10))
    assert len(set(txids.values())) <= 2  # the first alone at most, the rest as one


async def test_one_that_fails_fails_alone_and_the_rest_commit_once(pool: asyncpg.Pool) -> None:
    await pool.execute(TABLE)
    group = GroupCommit(lambda: pool, "test")
    fallbacks = GROUP_FALLBACKS.labels("test")._value.get()
    results = await asyncio.gather(
        *(group.run(writer(f"w{n}", fail=n == 3)) for n in range(6)), return_exceptions=True
    )
    assert isinstance(results[3], ValueError)
    assert [r for i, r in enumerate(results) if i != 3] == ["W0", "W1", "W2", "W4", "W5"]
    assert sorted(await written(pool)) == ["w0", "w1", "w2", "w4", "w5"]
    assert GROUP_FALLBACKS.labels("test")._value.get() >= fallbacks + 1


async def test_a_caller_that_goes_away_does_not_take_its_write_with_it(
    pool: asyncpg.Pool,
) -> None:
    await pool.execute(TABLE)
    group = GroupCommit(lambda: pool, "test")
    gone = asyncio.create_task(group.run(writer("kept")))
    await asyncio.sleep(0)  # handed over
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await group.run(writer("after")) == "AFTER"  # runs behind it, so it is in
    assert sorted(await written(pool)) == ["after", "kept"]
