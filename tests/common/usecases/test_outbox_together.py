"""The events of one transaction go to the outbox in one statement, in the order enqueued.

Inside a shared batch, a group commit or a use case's own unit of work, `enqueue` only notes
its row; the rows go in one `INSERT` per schema when the body is done, before the commit.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg
import pytest
from qorgau_common.group_commit import GroupCommit
from qorgau_common.outbox import enqueue, written_together
from qorgau_common.tracing import span
from qorgau_common.unit_of_work import shared_transaction, unit_of_work
from qorgau_contracts import INCIDENT_REPORTED

from tests.common.support import event

TOPIC = INCIDENT_REPORTED.name


class Statements:
    """The outbox inserts one connection ran."""

    def __init__(self) -> None:
        self.inserts = 0

    def __call__(self, record: Any) -> None:
        if "outbox" in record.query and "INSERT" in record.query:
            self.inserts += 1


async def rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT id, key, payload, headers FROM intake.outbox ORDER BY id")


async def test_a_shared_batch_writes_its_events_in_one_statement_in_order(
    pool: asyncpg.Pool,
) -> None:
    events = [event(n) for n in range(5)]
    counted = Statements()
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(counted)
        for e in events:
            async with unit_of_work(pool) as joined:
                await enqueue(joined, "intake", TOPIC, str(e.incident_id), e)
    assert counted.inserts == 1
    written = await rows(pool)
    assert [r["key"].decode() for r in written] == [str(e.incident_id) for e in events]
    assert [json.loads(r["headers"])["event_id"] for r in written] == [
        str(e.event_id) for e in events
    ]


async def test_a_batch_that_rolled_back_writes_none(pool: asyncpg.Pool) -> None:
    async def batch() -> None:
        async with shared_transaction(pool) as conn:
            await enqueue(conn, "intake", TOPIC, "k", event())
            raise ValueError("an effect failed")

    with pytest.raises(ValueError, match="an effect failed"):
        await batch()
    assert await rows(pool) == []


async def test_each_row_keeps_the_trace_of_its_own_enqueue(pool: asyncpg.Pool) -> None:
    first, second = event(1), event(2)
    async with shared_transaction(pool) as conn:
        with span("one", "intake") as one:
            await enqueue(conn, "intake", TOPIC, "a", first)
        with span("two", "intake") as two:
            await enqueue(conn, "intake", TOPIC, "b", second)
    parents = [json.loads(r["headers"])["traceparent"] for r in await rows(pool)]
    assert parents[0].split("-")[2] == format(one.get_span_context().span_id, "016x")
    assert parents[1].split("-")[2] == format(two.get_span_context().span_id, "016x")


async def test_a_group_commit_writes_its_events_in_one_statement(pool: asyncpg.Pool) -> None:
    counted = Statements()
    events = [event(n) for n in range(6)]

    def writer(n: int):  # type: ignore[no-untyped-def]
        async def write(conn: asyncpg.Connection) -> int:
            if n == 0:
                conn.add_query_logger(counted)
            await enqueue(conn, "intake", TOPIC, str(events[n].incident_id), events[n])
            return n

        return write

    group = GroupCommit(lambda: pool, "test")
    assert await asyncio.gather(*(group.run(writer(n)) for n in range(6))) == list(range(6))
    assert len(await rows(pool)) == 6
    assert counted.inserts <= 2  # the first alone at most, the rest as one


async def test_another_connection_writes_at_once(pool: asyncpg.Pool) -> None:
    """Only the collecting connection's events wait: another connection's go as they come."""
    async with pool.acquire() as conn, conn.transaction(), written_together(conn):
        async with pool.acquire() as other, other.transaction():
            await enqueue(other, "intake", TOPIC, "other", event())
            assert await other.fetchval("SELECT count(*) FROM intake.outbox") == 1
        await enqueue(conn, "intake", TOPIC, "mine", event())
        assert await conn.fetchval("SELECT count(*) FROM intake.outbox") == 1  # not yet
    assert [r["key"] for r in await rows(pool)] == [b"other", b"mine"]


async def test_nothing_enqueued_writes_nothing(pool: asyncpg.Pool) -> None:
    counted = Statements()
    async with pool.acquire() as conn, conn.transaction():
        conn.add_query_logger(counted)
        async with written_together(conn):
            pass
    assert counted.inserts == 0
