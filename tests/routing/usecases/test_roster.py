"""Roster changes: file imports (all or nothing), officers and shifts by a supervisor."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from qorgau_common.errors import Conflict, InvalidInput, NotFound
from routing.domain.roster import ASTANA, Shift
from routing.domain.roster_files import RosterRejected
from routing.usecases.import_roster import import_roster
from routing.usecases.officers import add_officer, change_officer, set_officer_status
from routing.usecases.shifts import add_shift, list_shifts, remove_shift

from tests.routing.support import NOW

HEADER = "id,name,phone,home_district,covers,language,role,active\n"
NEW = {
    "id": "YSL-09",
    "name": "Новиков",
    "phone": "8 702 555 12 34",
    "home_district": "yesil",
    "covers": [],
    "language": "ru",
    "role": "inspector",
    "active": True,
}


async def test_a_bad_roster_file_imports_nothing(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM routing.officers")
        officers = (
            HEADER
            + "NEW-1,Жаңа,+77011112233,yesil,,kk,inspector,true\n"
            + "NEW-2,Bad,+7701,yesil,,kk,inspector,true\n"
        )
        shifts = "officer_id,starts_at,ends_at\nNEW-1,2026-11-22T08:00,2026-11-22T20:00\n"
        with pytest.raises(RosterRejected) as rejected:
            await import_roster(conn, officers, shifts)
        assert "officers.csv line 3: phone is not a valid number" in str(rejected.value)
        assert await conn.fetchval("SELECT count(*) FROM routing.officers") == before
        assert (
            await conn.fetchval("SELECT count(*) FROM routing.shifts WHERE officer_id = 'NEW-1'")
            == 0
        )


async def test_an_import_updates_officers_and_replaces_their_shifts_in_its_window(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as conn:
        imported = await import_roster(
            conn,
            HEADER + "YSL-01,Ахметов Д.,8 701 000 00 01,yesil,nura,kk,inspector,false\n",
            "officer_id,starts_at,ends_at\nYSL-01,2026-11-22T09:00,2026-11-22T21:00\n",
        )
        officer = await conn.fetchrow("SELECT * FROM routing.officers WHERE id = 'YSL-01'")
        shifts = await conn.fetch(
            "SELECT starts_at FROM routing.shifts WHERE officer_id = 'YSL-01' ORDER BY starts_at"
        )
    assert (imported.officers, imported.shifts) == (1, 1)
    assert officer is not None
    assert (officer["phone"], officer["covers"], officer["language"], officer["active"]) == (
        "+77010000001",
        ["nura"],
        "kk",
        False,
    )
    # The shift of 22 November (08:00) is replaced; the days around it are kept.
    assert [s["starts_at"].astimezone(ASTANA).isoformat() for s in shifts] == [
        "2026-11-21T08:00:00+05:00",
        "2026-11-22T09:00:00+05:00",
        "2026-11-23T08:00:00+05:00",
    ]


async def test_an_officer_is_added_once_with_the_importers_checks(pool: asyncpg.Pool) -> None:
    created = await add_officer(pool, {**NEW, "language": "kk"}, "duty-1")
    assert (created["phone"], created["status"], created["role"]) == (
        "+77025551234",
        "available",
        "inspector",
    )
    with pytest.raises(Conflict):
        await add_officer(pool, NEW, "duty-1")
    with pytest.raises(InvalidInput) as bad_phone:
        await add_officer(pool, {**NEW, "id": "X-1", "phone": "12"}, "duty-1")
    assert bad_phone.value.field == "phone"
    with pytest.raises(InvalidInput) as bad_district:
        await add_officer(pool, {**NEW, "id": "X-2", "covers": ["atlantis"]}, "duty-1")
    assert (bad_district.value.field, bad_district.value.reason) == (
        "district",
        "unknown district 'atlantis'",
    )


async def test_a_change_is_checked_whole_and_audited(pool: asyncpg.Pool) -> None:
    changed = await change_officer(pool, "YSL-01", {"phone": "8 701 999 00 11"}, "duty-1")
    assert changed["phone"] == "+77019990011"
    with pytest.raises(InvalidInput):
        await change_officer(pool, "YSL-01", {"home_district": "atlantis"}, "duty-1")
    with pytest.raises(NotFound):
        await change_officer(pool, "NOPE", {"name": "x"}, "duty-1")
    off = await set_officer_status(pool, "YSL-01", "off", "duty-1")
    assert off["status"] == "off"
    with pytest.raises(NotFound):
        await set_officer_status(pool, "NOPE", "busy", "duty-1")
    audit = await pool.fetch("SELECT action, detail::text FROM routing.audit_log ORDER BY id")
    assert [a["action"] for a in audit] == ["officer.update", "officer.status"]
    assert '"fields": ["phone"]' in audit[0]["detail"]


async def test_shifts_are_added_listed_in_astana_time_and_removed(pool: asyncpg.Pool) -> None:
    start = NOW + timedelta(days=30)
    shift = Shift("YSL-01", start, start + timedelta(hours=12))
    shift_id = await add_shift(pool, shift, "duty-1")
    listed = await list_shifts(pool, "YSL-01", start - timedelta(hours=1), None)
    assert [(s["id"], s["starts_at"].utcoffset()) for s in listed] == [
        (shift_id, timedelta(hours=5))
    ]
    overlapping = Shift("YSL-01", start + timedelta(hours=11), start + timedelta(hours=20))
    with pytest.raises(Conflict):
        await add_shift(pool, overlapping, "duty-1")
    with pytest.raises(InvalidInput, match="ends_at: must be after starts_at"):
        await add_shift(pool, Shift("YSL-01", start, start), "duty-1")
    with pytest.raises(InvalidInput, match="longer than 24 hours"):
        await add_shift(pool, Shift("YSL-01", start, start + timedelta(hours=25)), "duty-1")
    with pytest.raises(InvalidInput, match="officer_id"):
        await add_shift(pool, Shift("NOPE", start, start + timedelta(hours=1)), "duty-1")
    await remove_shift(pool, shift_id, "duty-1")
    with pytest.raises(NotFound):
        await remove_shift(pool, shift_id, "duty-1")
    assert await list_shifts(pool, "YSL-01", start - timedelta(hours=1), None) == []
