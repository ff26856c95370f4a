"""Retention and the append-only audit trail, on real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest
from qorgau_common.audit import audit
from qorgau_common.retention import purge

from tests.common.support import add, event


async def test_published_outbox_rows_and_old_inbox_rows_are_purged_after_retention(
    pool: asyncpg.Pool,
) -> None:
    await add(pool, event(1), event(2), event(3))
    await pool.execute(
        "UPDATE intake.outbox SET published_at = now() - interval '8 days' WHERE id <= 2"
    )
    for age in ("9 days", "1 day"):
        await pool.execute(
            "INSERT INTO intake.inbox (event_id, topic, received_at)"
            f" VALUES ($1, 't', now() - interval '{age}')",
            uuid.uuid4(),
        )
    week = timedelta(days=7)
    assert await purge(pool, "intake", outbox_keep=week, inbox_keep=week) == (2, 1)
    # The unpublished row stays whatever its age; so does the recent inbox row.
    assert await pool.fetchval("SELECT count(*) FROM intake.outbox") == 1
    assert await pool.fetchval("SELECT count(*) FROM intake.inbox") == 1


@pytest.mark.parametrize("schema", ["intake", "routing", "notify"])
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE {s}.audit_log SET actor = 'someone else'",
        "DELETE FROM {s}.audit_log",
        "TRUNCATE {s}.audit_log",
    ],
)
async def test_the_audit_trail_refuses_changes_in_the_database(
    pool: asyncpg.Pool, schema: str, statement: str
) -> None:
    async with pool.acquire() as conn:
        await audit(conn, schema, "operator:1", "report.viewed")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement.format(s=schema))
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.audit_log") == 1
