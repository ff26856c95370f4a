"""The audit trail in a consumer batch: its rows go in one statement per schema, in order,
with the batch's commit (and none if it rolls back); outside a batch, at once."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from qorgau_common.audit import audit
from qorgau_common.unit_of_work import shared_transaction, unit_of_work


async def trail(pool: asyncpg.Pool, schema: str) -> list[tuple[str, str]]:
    rows = await pool.fetch(f"SELECT actor, action FROM {schema}.audit_log ORDER BY id")
    return [(r["actor"], r["action"]) for r in rows]


async def test_outside_a_batch_each_row_is_written_at_once(pool: asyncpg.Pool) -> None:
    async with unit_of_work(pool) as conn:
        await audit(conn, "intake", "op-1", "report.create", uuid.uuid4())
        assert await conn.fetchval("SELECT count(*) FROM intake.audit_log") == 1


async def test_a_batchs_rows_go_in_one_statement_per_schema_in_order(pool: asyncpg.Pool) -> None:
    statements: list[str] = []
    async with shared_transaction(pool) as conn:
        conn.add_query_logger(lambda record: statements.append(record.query))
        for n in range(3):
            await audit(conn, "routing", f"sms:YSL-0{n}", "assignment.acknowledge", uuid.uuid4())
        await audit(conn, "intake", "op-1", "report.create", None, {"n": 1})
        assert [s for s in statements if "audit_log" in s] == []  # left for the commit
    assert len([s for s in statements if "routing" in s and "audit_log" in s]) == 1
    assert len([s for s in statements if "intake" in s and "audit_log" in s]) == 1
    assert await trail(pool, "routing") == [
        (f"sms:YSL-0{n}", "assignment.acknowledge") for n in range(3)
    ]
    assert await pool.fetchval("SELECT detail FROM intake.audit_log") == '{"n": 1}'


async def test_a_batch_that_rolls_back_leaves_no_row(pool: asyncpg.Pool) -> None:
    async def audit_then_fail() -> None:
        async with shared_transaction(pool) as conn:
            await audit(conn, "routing", "sms:YSL-01", "assignment.acknowledge")
            raise ValueError("after the audit")

    with pytest.raises(ValueError, match="after the audit"):
        await audit_then_fail()
    assert await trail(pool, "routing") == []
