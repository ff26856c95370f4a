"""SQL for routing's roster: districts, officers, shifts, and who can take a case now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import asyncpg
from qorgau_common.db import Connection
from qorgau_common.unit_of_work import batch_memo

from routing.domain.policy import Candidate
from routing.domain.roster import Officer, Shift

_COLUMNS = "id, name, phone, home_district, covers, language, role, active, status"


_MEMO = "routing.roster"


@dataclass(frozen=True)
class _Read:
    """The batch's roster read: as of `at`, until the next start or end of a shift."""

    candidates: tuple[Candidate, ...]
    at: datetime
    until: datetime | None

    def holds_at(self, now: datetime) -> bool:
        return self.at <= now and (self.until is None or now < self.until)


async def candidates(conn: Connection, now: datetime) -> list[Candidate]:
    """Every active officer with shift, availability and load (open or accepted cases).

    In a consumer batch's shared transaction the roster is read once, at the batch's first
    assignment, and kept true by the batch's own writes: an assignment counts on its officer
    (`assigned`), a closed one drops the read (`forget`), and so does the next start or end
    of a shift. The roster lock, held from that first assignment to the commit, keeps other
    assignment decisions out; a supervisor's change to an officer made meanwhile (the roster
    API is never part of a batch) is seen from the next batch on, as if made just after it.
    """
    memo = batch_memo(_MEMO)
    kept: _Read | None = memo.get("read") if memo is not None else None
    if kept is not None and kept.holds_at(now):
        return list(kept.candidates)
    rows = await conn.fetch(
        """
        SELECT o.id, o.home_district, o.covers, o.role, o.status, o.last_assigned_at,
               EXISTS (SELECT 1 FROM routing.shifts s
                       WHERE s.officer_id = o.id AND s.starts_at <= $1 AND s.ends_at > $1)
                   AS on_shift,
               (SELECT count(*) FROM routing.assignments a
                WHERE a.officer_id = o.id AND a.purpose = 'assignment'
                  AND a.status IN ('open', 'acknowledged')) AS open_assignments,
               (SELECT min(b.at) FROM routing.shifts s,
                       LATERAL (VALUES (s.starts_at), (s.ends_at)) AS b (at)
                 WHERE b.at > $1) AS shifts_change_at
        FROM routing.officers o
        WHERE o.active
        """,
        now,
    )
    found = [
        Candidate(
            officer_id=r["id"],
            home_district=r["home_district"],
            covers=frozenset(r["covers"]),
            role=r["role"],
            on_shift=r["on_shift"],
            available=r["status"] == "available",
            open_assignments=r["open_assignments"],
            last_assigned_at=r["last_assigned_at"],
        )
        for r in rows
    ]
    if memo is not None:
        until = rows[0]["shifts_change_at"] if rows else None
        memo["read"] = _Read(tuple(found), now, until)
    return found


def assigned(officer_id: str, now: datetime) -> None:
    """A case was given to `officer_id` at `now` in this transaction: the batch's roster
    read, if any, counts it (one more open case, the last one now), as a new read would."""
    memo = batch_memo(_MEMO)
    kept: _Read | None = memo.get("read") if memo is not None else None
    if memo is None or kept is None:
        return
    counted = tuple(
        replace(c, open_assignments=c.open_assignments + 1, last_assigned_at=now)
        if c.officer_id == officer_id
        else c
        for c in kept.candidates
    )
    memo["read"] = replace(kept, candidates=counted)


def forget() -> None:
    """An assignment left the officers' load in this transaction: the batch reads afresh."""
    memo = batch_memo(_MEMO)
    if memo is not None:
        memo.pop("read", None)


async def open_cases(conn: Connection | asyncpg.Pool) -> list[tuple[str, str, int]]:
    """(district, officer, open or accepted cases) for every officer."""
    rows = await conn.fetch(
        """
        SELECT o.id, o.home_district,
               count(a.id) FILTER (WHERE a.status IN ('open', 'acknowledged')
                                   AND a.purpose = 'assignment') AS open_cases
        FROM routing.officers o LEFT JOIN routing.assignments a ON a.officer_id = o.id
        GROUP BY o.id
        """
    )
    return [(r["home_district"], r["id"], r["open_cases"]) for r in rows]


async def neighbours(conn: Connection) -> dict[str, Sequence[str]]:
    """Every district routing knows, with its neighbours; read once per consumer batch (only
    the migrations write them)."""
    memo = batch_memo("routing.districts")
    if memo:
        return dict(memo["neighbours"])
    rows = await conn.fetch("SELECT id, neighbours FROM routing.districts")
    found = {r["id"]: tuple(r["neighbours"]) for r in rows}
    if memo is not None:
        memo["neighbours"] = found
    return dict(found)


async def district_ids(conn: Connection | asyncpg.Pool) -> frozenset[str]:
    return frozenset(r["id"] for r in await conn.fetch("SELECT id FROM routing.districts"))


async def officers(conn: Connection | asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"SELECT {_COLUMNS} FROM routing.officers ORDER BY id")
    return [dict(r) for r in rows]


async def officer(conn: Connection | asyncpg.Pool, officer_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM routing.officers WHERE id = $1", officer_id)
    return dict(row) if row else None


async def upsert_officers(conn: Connection, rows: Sequence[Officer]) -> None:
    await conn.executemany(
        """
        INSERT INTO routing.officers (id, name, phone, home_district, covers, language, role,
                                      active)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, phone = EXCLUDED.phone,
            home_district = EXCLUDED.home_district, covers = EXCLUDED.covers,
            language = EXCLUDED.language, role = EXCLUDED.role, active = EXCLUDED.active
        """,
        [
            (o.id, o.name, o.phone, o.home_district, list(o.covers), o.language, o.role, o.active)
            for o in rows
        ],
    )


async def update_officer(conn: Connection, officer_id: str, changes: dict[str, Any]) -> bool:
    allowed = {"name", "phone", "home_district", "covers", "language", "role", "active", "status"}
    columns = [c for c in changes if c in allowed]
    if not columns:
        return await officer(conn, officer_id) is not None
    sets = ", ".join(f"{c} = ${n}" for n, c in enumerate(columns, start=2))
    done = await conn.fetchval(
        f"UPDATE routing.officers SET {sets} WHERE id = $1 RETURNING true",
        officer_id,
        *(list(changes[c]) if c == "covers" else changes[c] for c in columns),
    )
    return bool(done)


async def shifts(
    conn: Connection | asyncpg.Pool, officer_id: str | None, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT id, officer_id, starts_at, ends_at FROM routing.shifts"
        " WHERE ($1::text IS NULL OR officer_id = $1) AND ends_at > $2 AND starts_at < $3"
        " ORDER BY starts_at, officer_id",
        officer_id,
        since,
        until,
    )
    return [dict(r) for r in rows]


async def overlapping_shift(conn: Connection, shift: Shift) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM routing.shifts WHERE officer_id = $1 AND starts_at < $3"
            " AND ends_at > $2 LIMIT 1",
            shift.officer_id,
            shift.starts_at,
            shift.ends_at,
        )
    )


async def add_shift(conn: Connection, shift: Shift) -> int:
    shift_id: int = await conn.fetchval(
        "INSERT INTO routing.shifts (officer_id, starts_at, ends_at) VALUES ($1, $2, $3)"
        " RETURNING id",
        shift.officer_id,
        shift.starts_at,
        shift.ends_at,
    )
    return shift_id


async def delete_shift(conn: Connection, shift_id: int) -> bool:
    return bool(
        await conn.fetchval("DELETE FROM routing.shifts WHERE id = $1 RETURNING true", shift_id)
    )


async def replace_shifts(conn: Connection, rows: Sequence[Shift]) -> None:
    """Replace each listed officer's shifts in the window the new ones span."""
    if not rows:
        return
    await conn.execute(
        "DELETE FROM routing.shifts WHERE officer_id = ANY($1) AND ends_at > $2 AND starts_at < $3",
        sorted({s.officer_id for s in rows}),
        min(s.starts_at for s in rows),
        max(s.ends_at for s in rows),
    )
    await conn.executemany(
        "INSERT INTO routing.shifts (officer_id, starts_at, ends_at) VALUES ($1, $2, $3)",
        [(s.officer_id, s.starts_at, s.ends_at) for s in rows],
    )
