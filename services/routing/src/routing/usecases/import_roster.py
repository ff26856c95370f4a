"""Use case: import officers.csv and/or shifts.csv, checked whole, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from qorgau_common.db import Connection

from routing.db import roster as roster_db
from routing.domain.roster import Officer, Shift
from routing.domain.roster_files import RosterRejected, RowError, parse_officers, parse_shifts


@dataclass(frozen=True)
class Imported:
    officers: int
    shifts: int


async def import_roster(
    conn: Connection, officers_csv: str | None, shifts_csv: str | None
) -> Imported:
    """Check both files whole, then apply them in one transaction; RosterRejected if bad."""
    officers: list[Officer] = []
    errors: list[RowError] = []
    if officers_csv is not None:
        officers, errors = parse_officers(officers_csv, await roster_db.district_ids(conn))
    known = frozenset(o["id"] for o in await roster_db.officers(conn)) | {o.id for o in officers}
    shifts: list[Shift] = []
    shift_errors: list[RowError] = []
    if shifts_csv is not None:
        shifts, shift_errors = parse_shifts(shifts_csv, known)
    if errors or shift_errors:
        raise RosterRejected([*errors, *shift_errors])
    async with conn.transaction():
        await roster_db.upsert_officers(conn, officers)
        await roster_db.replace_shifts(conn, shifts)
    return Imported(len(officers), len(shifts))
