"""Forget what is no longer needed: published outbox rows (they hold address lines) and old
inbox rows, after a retention that outlives the broker's own (redeliveries older than that
cannot come)."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import structlog
from prometheus_client import Counter

__all__ = ["purge"]

log = structlog.get_logger(__name__)

PURGED = Counter("qorgau_rows_purged_total", "Outbox and inbox rows purged", ["service", "table"])

_CHUNK = 5000


async def _purge_table(
    pool: asyncpg.Pool, schema: str, table: str, column: str, keep: timedelta
) -> int:
    total = 0
    while True:
        # In chunks, so a large first purge never holds long locks.
        status: str = await pool.execute(
            f'DELETE FROM "{schema}".{table} WHERE ctid = ANY(ARRAY('
            f' SELECT ctid FROM "{schema}".{table}'
            f" WHERE {column} < now() - $1::interval LIMIT {_CHUNK}))",
            keep,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < _CHUNK:
            break
    if total:
        PURGED.labels(schema, table).inc(total)
    return total


async def purge(
    pool: asyncpg.Pool, schema: str, *, outbox_keep: timedelta, inbox_keep: timedelta
) -> tuple[int, int]:
    """Delete published outbox rows and inbox rows older than their retention."""
    outbox = await _purge_table(pool, schema, "outbox", "published_at", outbox_keep)
    inbox = await _purge_table(pool, schema, "inbox", "received_at", inbox_keep)
    if outbox or inbox:
        log.info("old rows purged", outbox=outbox, inbox=inbox)
    return outbox, inbox
