from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from qorgau_common.db import Connection


async def login(
    conn: Connection | asyncpg.Pool,
    at: datetime,
    username: str,
    user_id: uuid.UUID | None,
    address: str,
    outcome: str,
) -> None:
    await conn.execute(
        "INSERT INTO console.login_audit (at, username, user_id, address, outcome)"
        " VALUES ($1, $2, $3, $4, $5)",
        at,
        username[:120],
        user_id,
        address,
        outcome,
    )


async def failures_from(conn: Connection | asyncpg.Pool, address: str, since: datetime) -> int:
    found = await conn.fetchval(
        "SELECT count(*) FROM console.login_audit WHERE address = $1 AND at > $2"
        " AND outcome IN ('bad_password', 'unknown_user', 'locked', 'disabled')",
        address,
        since,
    )
    return int(found or 0)


async def view(
    conn: Connection | asyncpg.Pool,
    at: datetime,
    user_id: uuid.UUID,
    incident_id: uuid.UUID,
    purpose: str,
) -> None:
    await conn.execute(
        "INSERT INTO console.view_audit (at, user_id, incident_id, purpose)"
        " VALUES ($1, $2, $3, $4)",
        at,
        user_id,
        incident_id,
        purpose,
    )


async def action(
    conn: Connection | asyncpg.Pool,
    at: datetime,
    user_id: uuid.UUID,
    what: str,
    subject: str,
    detail: dict[str, Any],
    result: str,
) -> None:
    """A change made through the console (ids and codes only in `detail`)."""
    await conn.execute(
        "INSERT INTO console.action_audit (at, user_id, action, subject, detail, result)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6)",
        at,
        user_id,
        what,
        subject[:120],
        json.dumps(detail),
        result,
    )
