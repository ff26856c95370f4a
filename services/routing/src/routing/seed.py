"""Loading the demo roster into routing's schema."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
from qorgau_common.db import migrate

from . import repository
from .handlers import MIGRATIONS, SERVICE
from .roster import ASTANA, demo_officers, demo_shifts


async def seed_demo(dsn: str, days: int) -> int:
    await migrate(dsn, SERVICE, MIGRATIONS)
    first_day = (datetime.now(ASTANA) - timedelta(days=1)).date()
    officers, shifts = demo_officers(), demo_shifts(first_day, days + 1)
    conn = await asyncpg.connect(dsn)
    try:
        await repository.seed_roster(conn, officers, shifts)
    finally:
        await conn.close()
    return len(officers)
