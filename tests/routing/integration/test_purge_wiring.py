"""Retention, wired into a running service (issue 11): the runtime's purge rounds.

`purge` is tested at the use-case tier (tests/common/usecases/test_retention.py); this
checks that `ServiceRuntime` runs it, at start and then every `_PURGE_EVERY_S`, with the
service's own schema and its `outbox_retention_days` / `inbox_retention_days`. Without the
rounds the outbox (which holds address lines) and the inbox grow for ever.
"""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
import qorgau_common.runtime
from routing.main import create_app

from tests.harness import serving
from tests.routing.support import routing_settings

pytestmark = pytest.mark.integration


async def old_rows(pool: asyncpg.Pool) -> tuple[list[int], list[uuid.UUID]]:
    """A published outbox row past a one-day retention, and an inbox row past two days."""
    outbox_id = await pool.fetchval(
        "INSERT INTO routing.outbox (topic, key, payload, published_at)"
        " VALUES ('retention.test', 'k', 'x', now() - interval '36 hours') RETURNING id"
    )
    event_id = uuid.uuid4()
    await pool.execute(
        "INSERT INTO routing.inbox (event_id, topic, received_at)"
        " VALUES ($1, 'retention.test', now() - interval '3 days')",
        event_id,
    )
    return [outbox_id], [event_id]


async def gone(
    pool: asyncpg.Pool, rows: tuple[list[int], list[uuid.UUID]], which: str, within_s: float = 10
) -> None:
    """Wait (bounded) until the purge has deleted these rows."""
    outbox_ids, event_ids = rows
    left = 0
    try:
        async with asyncio.timeout(within_s):
            while left := await pool.fetchval(
                "SELECT (SELECT count(*) FROM routing.outbox WHERE id = ANY($1::bigint[]))"
                " + (SELECT count(*) FROM routing.inbox WHERE event_id = ANY($2::uuid[]))",
                outbox_ids,
                event_ids,
            ):
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"{left} old rows {which} not purged within {within_s} s") from None


async def test_a_running_service_purges_old_outbox_and_inbox_rows_in_rounds(
    live_pool: asyncpg.Pool,
    routing_database: str,
    kafka: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Old rows present at start go in the first round, rows added later in a following
    one; rows within their retention stay."""
    monkeypatch.setattr(qorgau_common.runtime, "_PURGE_EVERY_S", 0.2)
    pool = live_pool
    at_start = await old_rows(pool)
    # Kept: published within the outbox's day; an inbox row older than the outbox's
    # retention but within the inbox's own (so the two settings are not mixed up).
    kept_outbox = await pool.fetchval(
        "INSERT INTO routing.outbox (topic, key, payload, published_at)"
        " VALUES ('retention.test', 'k', 'x', now() - interval '12 hours') RETURNING id"
    )
    kept_event = uuid.uuid4()
    await pool.execute(
        "INSERT INTO routing.inbox (event_id, topic, received_at)"
        " VALUES ($1, 'retention.test', now() - interval '36 hours')",
        kept_event,
    )
    settings = routing_settings(
        routing_database, kafka, outbox_retention_days=1, inbox_retention_days=2
    )
    async with serving(create_app(settings)):
        await gone(pool, at_start, "present at start")
        await gone(pool, await old_rows(pool), "added later")  # rounds repeat
        outbox_kept = "SELECT count(*) FROM routing.outbox WHERE id = $1"
        assert await pool.fetchval(outbox_kept, kept_outbox), "a recent outbox row was purged"
        inbox_kept = "SELECT count(*) FROM routing.inbox WHERE event_id = $1"
        assert await pool.fetchval(inbox_kept, kept_event), (
            "an inbox row within the inbox's retention (past the outbox's) was purged"
        )
