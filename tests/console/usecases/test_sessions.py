"""Logging in: audited, locked after repeated failures, expiring when idle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from console.domain.login_policy import LoginPolicy
from console.usecases import login
from console.usecases.accounts import AccountError, create_user, disable_user, reset_password

from tests.console.support import PASSWORD, account, console, csrf_of, log_in

POLICY = LoginPolicy(max_failures=3, lockout=timedelta(minutes=15), ip_max_failures=50)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_every_login_is_audited_and_repeated_failures_lock(database_url: str) -> None:
    async with console(database_url) as c:
        await account(c, "aigerim", "operator")
        for _ in range(3):
            refused = await login.log_in(c.pool, "aigerim", "wrong", "10.0.0.1", NOW, POLICY)
            assert refused == login.Refused("bad_credentials")
        locked = await login.log_in(c.pool, "aigerim", PASSWORD, "10.0.0.1", NOW, POLICY)
        assert locked == login.Refused("locked")
        later = NOW + timedelta(minutes=16)
        ok = await login.log_in(c.pool, "aigerim", PASSWORD, "10.0.0.1", later, POLICY)
        assert isinstance(ok, login.Session)
        outcomes = [
            r["outcome"]
            for r in await c.pool.fetch("SELECT outcome FROM console.login_audit ORDER BY id")
        ]
        assert outcomes == ["bad_password"] * 3 + ["locked", "ok"]
        unknown = await login.log_in(c.pool, "nobody", "x", "10.0.0.1", later, POLICY)
        assert unknown == login.Refused("bad_credentials")


async def test_a_session_ends_after_idle_time(database_url: str) -> None:
    async with console(database_url) as c:
        await account(c, "sup", "supervisor")
        session = await login.log_in(c.pool, "sup", PASSWORD, "-", NOW, POLICY)
        assert isinstance(session, login.Session)
        idle, longest = timedelta(minutes=15), timedelta(hours=12)
        soon = await login.current(
            c.pool, session.token, NOW + timedelta(minutes=10), idle, longest
        )
        assert soon is not None
        # An automatic refresh does not keep it alive.
        await login.current(
            c.pool, session.token, NOW + timedelta(minutes=20), idle, longest, touch=False
        )
        assert (
            await login.current(c.pool, session.token, NOW + timedelta(minutes=26), idle, longest)
            is None
        )


async def test_user_commands(database_url: str) -> None:
    async with console(database_url) as c:
        await create_user(c.pool, "insp", "inspector", PASSWORD, officer_id="YSL-01")
        with pytest.raises(AccountError, match="officer"):
            await create_user(c.pool, "insp2", "inspector", PASSWORD)
        await disable_user(c.pool, "insp")
        refused = await login.log_in(c.pool, "insp", PASSWORD, "-", NOW, POLICY)
        assert refused == login.Refused("bad_credentials")
        await reset_password(c.pool, "insp", "another long password")
        assert isinstance(
            await login.log_in(c.pool, "insp", "another long password", "-", NOW, POLICY),
            login.Session,
        )


async def test_login_needs_the_forms_csrf_and_sets_a_strict_httponly_cookie(
    database_url: str,
) -> None:
    async with console(database_url) as c, c.client() as client:
        await account(c, "op", "operator")
        page = await client.get("/login")
        bad = await client.post(
            "/login", data={"username": "op", "password": PASSWORD, "csrf": "x"}
        )
        assert bad.status_code == 401
        good = await client.post(
            "/login", data={"username": "op", "password": PASSWORD, "csrf": csrf_of(page.text)}
        )
        cookie = good.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        csrf = await log_in(client, "op")
        assert csrf
