"""Shared set-up for intake's integration tests: settings, tokens, an HTTP client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from intake.config import IntakeSettings
from intake.crypto import new_key_spec
from intake.linking import new_link_key
from intake.main import create_app
from qorgau_common.auth import create_token

from tests.harness import FAST_KAFKA, serving

TOKENS = {
    "operator": "test-operator-token",
    "supervisor": "test-supervisor-token",
    "admin": "test-admin-token",
}
AUTH = {"Authorization": f"Bearer {TOKENS['operator']}"}
SUPERVISOR = {"Authorization": f"Bearer {TOKENS['supervisor']}"}
ADMIN = {"Authorization": f"Bearer {TOKENS['admin']}"}
TELEGRAM_SECRET = "tg-secret-Zx81"
META_SECRET = "meta-app-secret-9f"
META_VERIFY = "meta-verify-token"
ENCRYPTION_KEYS = new_key_spec("t1")
LINK_KEY = new_link_key()


def intake_settings(database_url: str, kafka: str, **changes: Any) -> IntakeSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": kafka,
        "encryption_keys": ENCRYPTION_KEYS,
        "link_key": LINK_KEY,
        "telegram_secret_token": TELEGRAM_SECRET,
        "meta_app_secret": META_SECRET,
        "meta_verify_token": META_VERIFY,
        **FAST_KAFKA,
    }
    values.update(changes)
    return IntakeSettings(**values)


async def create_tokens(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for role, token in TOKENS.items():
            await create_token(conn, "intake", f"{role}-1", role, token)  # type: ignore[arg-type]
    finally:
        await conn.close()


@asynccontextmanager
async def running_intake(
    database_url: str, kafka: str, **changes: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    await create_tokens(database_url)
    async with serving(create_app(intake_settings(database_url, kafka, **changes))) as app:
        await relay_listening(database_url)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            yield app, client


async def relay_listening(database_url: str) -> None:
    """Wait until the outbox relay LISTENs. Stopping a relay before that leaks its
    connection in qorgau_common.outbox (add_listener runs outside its try/finally), and the
    pool then never closes; see the hand-over report."""
    conn = await asyncpg.connect(database_url)
    try:
        for _ in range(200):
            if await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND query LIKE 'LISTEN %intake_outbox%'"
            ):
                return
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    raise AssertionError("the outbox relay never started listening")


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


async def counts(database_url: str, *tables: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM intake.{table}")
            for table in tables
            or ("incidents", "outbox", "incident_timeline", "audit_log", "source_messages")
        }
    finally:
        await conn.close()
