"""Importing roster files, and the demo roster (which goes through the same importer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
from qorgau_common.db import migrate

from . import roster_store as store
from .handlers import MIGRATIONS, SERVICE
from .roster import (
    ASTANA,
    Officer,
    RosterRejected,
    RowError,
    Shift,
    demo_shifts_csv,
    parse_officers,
    parse_shifts,
    seed_officers_csv,
)


@dataclass(frozen=True)
class Imported:
    officers: int
    shifts: int


async def import_roster(
    conn: asyncpg.Connection, officers_csv: str | None, shifts_csv: str | None
) -> Imported:
    """Check both files whole, then apply them in one transaction; RosterRejected if bad."""
    officers: list[Officer] = []
    errors: list[RowError] = []
    if officers_csv is not None:
        officers, errors = parse_officers(officers_csv, await store.district_ids(conn))
    known = frozenset(o["id"] for o in await store.officers(conn)) | {o.id for o in officers}
    shifts: list[Shift] = []
    shift_errors: list[RowError] = []
    if shifts_csv is not None:
        shifts, shift_errors = parse_shifts(shifts_csv, known)
    if errors or shift_errors:
        raise RosterRejected([*errors, *shift_errors])
    async with conn.transaction():
        await store.upsert_officers(conn, officers)
        await store.replace_shifts(conn, shifts)
    return Imported(len(officers), len(shifts))


async def seed_demo(dsn: str, days: int) -> int:
    """48 inspectors over six districts and two duty supervisors, shifts from yesterday."""
    await migrate(dsn, SERVICE, MIGRATIONS)
    officers_csv = seed_officers_csv()
    first_day = (datetime.now(ASTANA) - timedelta(days=1)).date()
    conn = await asyncpg.connect(dsn)
    try:
        officers, _ = parse_officers(officers_csv, await store.district_ids(conn))
        shifts_csv = demo_shifts_csv(officers, first_day, days + 1)
        imported = await import_roster(conn, officers_csv, shifts_csv)
    finally:
        await conn.close()
    return imported.officers
