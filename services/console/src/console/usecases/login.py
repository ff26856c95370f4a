"""Logging in and out, and finding the person behind a session cookie."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from console.db import audit, sessions, users
from console.db.users import User
from console.domain.login_policy import LoginPolicy, after_failure, may_try

from .passwords import verify


@dataclass(frozen=True)
class Session:
    token: str
    csrf: str
    user: User


@dataclass(frozen=True)
class Refused:
    reason: str  # "bad_credentials" | "locked" | "throttled": the page says no more


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def log_in(
    pool: asyncpg.Pool,
    username: str,
    password: str,
    address: str,
    now: datetime,
    policy: LoginPolicy,
) -> Session | Refused:
    username = username.strip()
    async with pool.acquire() as conn, conn.transaction():
        user = await users.by_username(conn, username)
        ip_failures = await audit.failures_from(conn, address, now - policy.lockout)
        verdict = may_try(user.locked_until if user else None, ip_failures, now, policy)
        if verdict != "try":
            await audit.login(conn, now, username, user.id if user else None, address, verdict)
            return Refused(verdict)
        good = verify(user.password_hash if user else None, password)
        if user is None or not user.active or not good:
            outcome = "unknown_user" if user is None else "disabled" if good else "bad_password"
            if user is not None and not good:
                failed, locked = after_failure(user.failed_logins, now, policy)
                await users.set_failures(conn, user.id, failed, locked)
            await audit.login(conn, now, username, user.id if user else None, address, outcome)
            return Refused("bad_credentials")
        await users.set_failures(conn, user.id, 0, None)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        await sessions.insert(conn, digest(token), user.id, csrf, now)
        await audit.login(conn, now, username, user.id, address, "ok")
    return Session(token, csrf, user)


async def current(
    pool: asyncpg.Pool,
    token: str,
    now: datetime,
    idle: timedelta,
    longest: timedelta,
    *,
    touch: bool = True,
) -> Session | None:
    """The live session of `token`; an idle or too old one is ended. Automatic refreshes
    (`touch=False`) do not count as activity, so an unattended screen still expires."""
    key = digest(token)
    row = await sessions.live(pool, key)
    if row is None:
        return None
    if now - row["last_seen_at"] > idle or now - row["created_at"] > longest:
        await sessions.end(pool, key, now)
        user = await users.by_id(pool, row["user_id"])
        await audit.login(pool, now, user.username if user else "?", row["user_id"], "-", "expired")
        return None
    user = await users.by_id(pool, row["user_id"])
    if user is None:
        return None
    if touch and now - row["last_seen_at"] > timedelta(seconds=15):
        await sessions.touch(pool, key, now)
    return Session(token, row["csrf_token"], user)


async def log_out(pool: asyncpg.Pool, session: Session, address: str, now: datetime) -> None:
    await sessions.end(pool, digest(session.token), now)
    await audit.login(pool, now, session.user.username, session.user.id, address, "logout")
