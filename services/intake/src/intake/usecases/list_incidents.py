"""Use case: incidents newest first, a page at a time (keyset); listing is audited."""

from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.auth import Caller

from intake.db import SCHEMA
from intake.db import incidents as store
from intake.domain.incident import Incident, Status


async def list_incidents(
    pool: asyncpg.Pool,
    caller: Caller,
    *,
    status: Status | None,
    district: str | None,
    since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> tuple[list[Incident], bool]:
    """The page after `after` (the last incident's received_at and id); (page, more)."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await store.page(
            conn, status=status, district=district, since=since, after=after, limit=limit + 1
        )
        await audit(
            conn,
            SCHEMA,
            caller.name,
            "incident.list",
            None,
            {"count": min(len(rows), limit), "status": status, "district": district},
        )
    return rows[:limit], len(rows) > limit
