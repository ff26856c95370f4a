"""Use cases: a supervisor adds, changes or sets the status of an officer (audited)."""

from __future__ import annotations

from typing import Any

import asyncpg
from qorgau_common.audit import audit
from qorgau_common.errors import Conflict, InvalidInput, NotFound

from routing.db import SCHEMA
from routing.db import roster as roster_db
from routing.domain.roster import Officer, OfficerStatus, check_officer

# The field a problem from check_officer names, for the 422 response.
_FIELDS = ("district", "phone", "language", "role", "name", "id", "active")


async def _checked(pool: asyncpg.Pool, officer: dict[str, Any]) -> Officer:
    """The same checks as the CSV importer (phone, districts, language, role)."""
    fields = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in officer.items()
        if not isinstance(v, list)
    }
    fields["covers"] = ";".join(officer.get("covers") or [])
    checked = check_officer(fields, await roster_db.district_ids(pool))
    if isinstance(checked, list):
        message = checked[0]
        raise InvalidInput(next((f for f in _FIELDS if f in message), "body"), message)
    return checked


async def _found(pool: asyncpg.Pool, officer_id: str) -> dict[str, Any]:
    found = await roster_db.officer(pool, officer_id)
    assert found is not None
    return found


async def add_officer(pool: asyncpg.Pool, officer: dict[str, Any], actor: str) -> dict[str, Any]:
    checked = await _checked(pool, officer)
    async with pool.acquire() as conn, conn.transaction():
        if await roster_db.officer(conn, checked.id) is not None:
            raise Conflict("id", f"officer {checked.id} already exists")
        await roster_db.upsert_officers(conn, [checked])
        await audit(conn, SCHEMA, actor, "officer.create", None, {"officer_id": checked.id})
    return await _found(pool, checked.id)


async def change_officer(
    pool: asyncpg.Pool, officer_id: str, changes: dict[str, Any], actor: str
) -> dict[str, Any]:
    """Apply the fields given; the whole record must still pass the roster's checks."""
    current = await roster_db.officer(pool, officer_id)
    if current is None:
        raise NotFound("officer_id", "no such officer")
    checked = await _checked(pool, {**current, **changes})
    async with pool.acquire() as conn, conn.transaction():
        await roster_db.update_officer(conn, officer_id, {**changes, "phone": checked.phone})
        detail = {"officer_id": officer_id, "fields": sorted(changes)}
        await audit(conn, SCHEMA, actor, "officer.update", None, detail)
    return await _found(pool, officer_id)


async def set_officer_status(
    pool: asyncpg.Pool, officer_id: str, status: OfficerStatus, actor: str
) -> dict[str, Any]:
    async with pool.acquire() as conn, conn.transaction():
        if not await roster_db.update_officer(conn, officer_id, {"status": status}):
            raise NotFound("officer_id", "no such officer")
        detail = {"officer_id": officer_id, "status": status}
        await audit(conn, SCHEMA, actor, "officer.status", None, detail)
    return await _found(pool, officer_id)
