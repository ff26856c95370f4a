"""Use cases: a supervisor lists, adds or removes shifts (audited)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.errors import Conflict, InvalidInput, NotFound

from routing.db import SCHEMA
from routing.db import roster as roster_db
from routing.domain.roster import ASTANA, Shift, shift_problem


async def list_shifts(
    pool: asyncpg.Pool,
    officer_id: str | None,
    since: datetime | None,
    until: datetime | None,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Shifts in the window (by default the next day), in Astana time as the unit reads them."""
    start = since or now or datetime.now(UTC)
    rows = await roster_db.shifts(pool, officer_id, start, until or start + timedelta(days=1))
    return [
        {
            **r,
            "starts_at": r["starts_at"].astimezone(ASTANA),
            "ends_at": r["ends_at"].astimezone(ASTANA),
        }
        for r in rows
    ]


async def add_shift(pool: asyncpg.Pool, shift: Shift, actor: str) -> int:
    """The new shift's id."""
    if (problem := shift_problem(shift.starts_at, shift.ends_at)) is not None:
        raise InvalidInput("ends_at", problem.removeprefix("ends_at "))
    async with pool.acquire() as conn, conn.transaction():
        if await roster_db.officer(conn, shift.officer_id) is None:
            raise InvalidInput("officer_id", "no such officer")
        if await roster_db.overlapping_shift(conn, shift):
            raise Conflict("starts_at", "overlaps another shift of this officer")
        shift_id = await roster_db.add_shift(conn, shift)
        detail = {"officer_id": shift.officer_id, "shift_id": shift_id}
        await audit(conn, SCHEMA, actor, "shift.create", None, detail)
    return shift_id


async def remove_shift(pool: asyncpg.Pool, shift_id: int, actor: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if not await roster_db.delete_shift(conn, shift_id):
            raise NotFound("shift_id", "no such shift")
        await audit(conn, SCHEMA, actor, "shift.delete", None, {"shift_id": shift_id})
