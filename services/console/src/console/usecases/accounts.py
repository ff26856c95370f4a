"""`python -m console user create|disable|reset`, and make run's demo accounts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg

from console.db import sessions, users
from console.domain.roles import ROLES

from .passwords import hash_password


class AccountError(ValueError):
    pass


async def create_user(
    pool: asyncpg.Pool,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str | None = None,
    officer_id: str | None = None,
    language: str = "ru",
) -> uuid.UUID:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == "inspector" and not officer_id:
        raise AccountError("an inspector account needs --officer-id (the roster officer id)")
    if role != "inspector" and officer_id:
        raise AccountError("only an inspector account is linked to an officer")
    if language not in ("ru", "kk"):
        raise AccountError("language must be ru or kk")
    try:
        digest = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from exc
    async with pool.acquire() as conn, conn.transaction():
        if await users.by_username(conn, username) is not None:
            raise AccountError(f"user {username} already exists")
        return await users.insert(
            conn, username, display_name or username, role, officer_id, digest, language
        )


async def ensure_user(
    pool: asyncpg.Pool,
    username: str,
    role: str,
    password: str,
    *,
    display_name: str | None = None,
    officer_id: str | None = None,
    language: str = "ru",
) -> bool:
    """Create the account unless it exists (make run's demo logins); True if created."""
    if await users.by_username(pool, username) is not None:
        return False
    await create_user(
        pool,
        username,
        role,
        password,
        display_name=display_name,
        officer_id=officer_id,
        language=language,
    )
    return True


async def disable_user(pool: asyncpg.Pool, username: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        user = await users.by_username(conn, username)
        if user is None:
            raise AccountError(f"no user {username}")
        await users.set_active(conn, user.id, False)
        await sessions.end_all_of(conn, user.id, datetime.now(UTC))


async def reset_password(pool: asyncpg.Pool, username: str, password: str) -> None:
    """A new password; unlocks and re-enables the account and ends its sessions."""
    try:
        digest = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from exc
    async with pool.acquire() as conn, conn.transaction():
        user = await users.by_username(conn, username)
        if user is None:
            raise AccountError(f"no user {username}")
        await users.set_password(conn, user.id, digest)
        await sessions.end_all_of(conn, user.id, datetime.now(UTC))
