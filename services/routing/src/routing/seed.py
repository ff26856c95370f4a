"""The demo roster (`python -m routing seed-demo`), loaded through the same importer as files."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from importlib import resources

import asyncpg
from qorgau_common.db import migrate

from .consumers import MIGRATIONS, SERVICE
from .db import roster as roster_db
from .domain.roster import ASTANA, Officer
from .domain.roster_files import SHIFT_COLUMNS, parse_officers
from .usecases.import_roster import import_roster

DAY_START, NIGHT_START = time(8), time(20)


def seed_officers_csv() -> str:
    return resources.files("routing").joinpath("seed", "officers.csv").read_text("utf-8")


def demo_shifts_csv(officers: list[Officer], first_day: date, days: int) -> str:
    """Twelve-hour shifts: the first half of each district's inspectors (by id) and the
    first supervisor by day (08:00-20:00 Astana), the rest by night."""
    by_group: dict[str, list[str]] = defaultdict(list)
    for o in officers:
        by_group[o.home_district if o.role == "inspector" else "supervisors"].append(o.id)
    out = io.StringIO()
    out.write(",".join(SHIFT_COLUMNS) + "\n")
    for ids in by_group.values():
        ordered = sorted(ids)
        for n, officer_id in enumerate(ordered):
            start = DAY_START if n < max(1, len(ordered) // 2) else NIGHT_START
            for i in range(days):
                begins = datetime.combine(first_day + timedelta(days=i), start)
                ends = begins + timedelta(hours=12)
                out.write(f"{officer_id},{begins.isoformat()},{ends.isoformat()}\n")
    return out.getvalue()


async def seed_demo(dsn: str, days: int) -> int:
    """48 inspectors over six districts and two duty supervisors, shifts from yesterday."""
    await migrate(dsn, SERVICE, MIGRATIONS)
    officers_csv = seed_officers_csv()
    first_day = (datetime.now(ASTANA) - timedelta(days=1)).date()
    conn = await asyncpg.connect(dsn)
    try:
        officers, _ = parse_officers(officers_csv, await roster_db.district_ids(conn))
        shifts_csv = demo_shifts_csv(officers, first_day, days + 1)
        imported = await import_roster(conn, officers_csv, shifts_csv)
    finally:
        await conn.close()
    return imported.officers
