from __future__ import annotations

import uuid
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection


async def insert(
    conn: Connection, digest: bytes, user_id: uuid.UUID, csrf: str, now: datetime
) -> None:
    await conn.execute(
        "INSERT INTO console.sessions (token_sha256, user_id, csrf_token, created_at,"
        " last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        digest,
        user_id,
        csrf,
        now,
    )


async def live(conn: Connection | asyncpg.Pool, digest: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT s.user_id, s.csrf_token, s.created_at, s.last_seen_at"
        " FROM console.sessions s JOIN console.users u ON u.id = s.user_id"
        " WHERE s.token_sha256 = $1 AND s.ended_at IS NULL AND u.active",
        digest,
    )


async def touch(conn: Connection | asyncpg.Pool, digest: bytes, now: datetime) -> None:
    await conn.execute(
        "UPDATE console.sessions SET last_seen_at = $2 WHERE token_sha256 = $1", digest, now
    )


async def end(conn: Connection | asyncpg.Pool, digest: bytes, now: datetime) -> None:
    await conn.execute(
        "UPDATE console.sessions SET ended_at = $2 WHERE token_sha256 = $1 AND ended_at IS NULL",
        digest,
        now,
    )


async def end_all_of(conn: Connection, user_id: uuid.UUID, now: datetime) -> None:
    await conn.execute(
        "UPDATE console.sessions SET ended_at = $2 WHERE user_id = $1 AND ended_at IS NULL",
        user_id,
        now,
    )
