from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from qorgau_common.db import Connection

_COLUMNS = (
    "id, username, display_name, role, officer_id, password_hash, language, active,"
    " failed_logins, locked_until"
)


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    officer_id: str | None
    password_hash: str
    language: str
    active: bool
    failed_logins: int
    locked_until: datetime | None


def _user(row: asyncpg.Record | None) -> User | None:
    return User(**dict(row)) if row else None


async def by_username(conn: Connection | asyncpg.Pool, username: str) -> User | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM console.users WHERE username = $1", username)
    return _user(row)


async def by_id(conn: Connection | asyncpg.Pool, user_id: uuid.UUID) -> User | None:
    return _user(
        await conn.fetchrow(f"SELECT {_COLUMNS} FROM console.users WHERE id = $1", user_id)
    )


async def insert(
    conn: Connection,
    username: str,
    display_name: str,
    role: str,
    officer_id: str | None,
    password_hash: str,
    language: str,
) -> uuid.UUID:
    user_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO console.users (id, username, display_name, role, officer_id,"
        " password_hash, language) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        user_id,
        username,
        display_name,
        role,
        officer_id,
        password_hash,
        language,
    )
    return user_id


async def set_password(conn: Connection, user_id: uuid.UUID, password_hash: str) -> None:
    await conn.execute(
        "UPDATE console.users SET password_hash = $2, failed_logins = 0, locked_until = NULL,"
        " active = true WHERE id = $1",
        user_id,
        password_hash,
    )


async def set_active(conn: Connection, user_id: uuid.UUID, active: bool) -> None:
    await conn.execute("UPDATE console.users SET active = $2 WHERE id = $1", user_id, active)


async def set_failures(
    conn: Connection, user_id: uuid.UUID, failed: int, locked_until: datetime | None
) -> None:
    await conn.execute(
        "UPDATE console.users SET failed_logins = $2, locked_until = $3 WHERE id = $1",
        user_id,
        failed,
        locked_until,
    )


async def set_language(conn: Connection | asyncpg.Pool, user_id: uuid.UUID, language: str) -> None:
    await conn.execute("UPDATE console.users SET language = $2 WHERE id = $1", user_id, language)
