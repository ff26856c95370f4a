"""A repeat (the same call id, or the same Idempotency-Key of the same token) is found through
the unique indexes, by every column of each, with the generic plan too (asyncpg's prepared
statements use one after a few runs)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from intake.db.incidents import find_existing


@pytest.mark.parametrize("token", [uuid.uuid4(), None])
async def test_the_repeat_lookup_reads_an_index(database_url: str, token: uuid.UUID | None) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        queries: list[str] = []
        conn.add_query_logger(lambda record: queries.append(record.query))
        assert await find_existing(conn, "102", "102-0001", "key-0001", token) is None
        await asyncio.sleep(0)  # the logger is called soon after, not within
        [query] = [q for q in queries if "FROM intake.incidents" in q]
        await conn.execute("SET enable_seqscan = off")  # a scan is chosen only if it must be
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        await conn.execute(f"PREPARE repeat_lookup AS {query}")
        values = ", ".join(f"'{v}'" for v in ("102", "102-0001", "key-0001", uuid.uuid4()))
        if query.count("$5"):
            values += f", '{uuid.UUID(int=0)}'"
        explained = await conn.fetch(f"EXPLAIN EXECUTE repeat_lookup({values})")
        plan = "\n".join(r[0] for r in explained)
    finally:
        await conn.close()
    assert "Seq Scan" not in plan, plan
    # Both columns of the key's unique index, not the key alone under any scope.
    assert "Index Cond: ((COALESCE(idempotency_token" in plan, plan
