"""Shared set-up for intake's tests: settings, tokens, reports, direct database reads."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from intake.config import IntakeSettings
from intake.domain.crypto import FieldCipher, new_key_spec, parse_keys
from intake.domain.linking import LinkKey, new_link_key, parse_link_key
from intake.domain.report import Report
from intake.main import create_app
from intake.usecases.submit_report import submit_report
from qorgau_common.auth import Role, create_token
from qorgau_common.db import create_pool
from qorgau_contracts import IncidentReported

from tests.harness import FAST_KAFKA, serving

TOKENS: dict[Role, str] = {
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
TABLES = ("incidents", "outbox", "incident_timeline", "audit_log", "source_messages")


def cipher() -> FieldCipher:
    return FieldCipher(parse_keys(ENCRYPTION_KEYS))


def link_key() -> LinkKey:
    return parse_link_key(LINK_KEY)


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


def report_body(call_id: str = "102-0001", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "call_102",
        "call_id": call_id,
        "caller_phone": "8 701 234 56 78",
        "victim": {"name": "Айгерим Сапарова", "phone": "8 705 111 22 33"},
        "address": {"street": "ул. Сыганак", "house": "10", "apartment": "5"},
        "district": "yesil",
        "narrative": "Муж угрожает ножом.",
    }
    body.update(changes)
    return body


def report(call_id: str = "102-0001", **changes: Any) -> Report:
    return Report.model_validate(report_body(call_id, **changes))


async def submit_directly(database_url: str, call_id: str, **changes: Any) -> uuid.UUID:
    """Commit a report with no relay running, as if intake stopped right after the commit."""
    pool = await create_pool(database_url)
    try:
        incident, created = await submit_report(
            pool, cipher(), link_key(), report(call_id, **changes), actor="operator-1"
        )
    finally:
        await pool.close()
    assert created
    return incident.id


async def create_tokens(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        for role, token in TOKENS.items():
            await create_token(conn, "intake", f"{role}-1", role, token)
    finally:
        await conn.close()


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
            for table in tables or TABLES
        }
    finally:
        await conn.close()


async def outbox_events(database_url: str) -> list[IncidentReported]:
    """What intake committed to publish, in order: the events the relay will send."""
    rows = await fetch(database_url, "SELECT topic, key, payload FROM intake.outbox ORDER BY id")
    assert {r["topic"] for r in rows} <= {"incident.reported.v1"}
    events = [IncidentReported.model_validate_json(r["payload"]) for r in rows]
    assert [bytes(r["key"]).decode() for r in rows] == [str(e.incident_id) for e in events]
    return events


async def db_dump(database_url: str, *tables: str) -> str:
    """Every row of intake's tables as text: personal values must appear nowhere in it."""
    rows: list[dict[str, Any]] = []
    for table in tables or (*TABLES, "incident_link_keys"):
        rows += [dict(r) for r in await fetch(database_url, f"SELECT * FROM intake.{table}")]
    return json.dumps(rows, default=str, ensure_ascii=False)


@asynccontextmanager
async def running_intake(
    database_url: str, kafka: str, *, joined: bool = True, **changes: Any
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The whole service with its lifespan: runtime, consumer, relay, reconciliation.

    Intake serves before it has joined the broker (it joins in the background); with
    `joined` this waits until it has."""
    await create_tokens(database_url)
    async with serving(create_app(intake_settings(database_url, kafka, **changes))) as app:
        await relay_listening(database_url)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
            if joined:
                await broker_joined(client)
            yield app, client


async def broker_joined(client: httpx.AsyncClient, within_s: float = 60.0) -> None:
    """Wait until intake's readiness says its broker link is up."""
    async with asyncio.timeout(within_s):
        while not (await client.get("/health/ready")).json()["checks"]["kafka"]:
            await asyncio.sleep(0.05)


async def relay_listening(database_url: str) -> None:
    """Wait until the outbox relay LISTENs. Stopping a relay before that leaks its
    connection in qorgau_common.outbox (add_listener runs outside its try/finally), and the
    pool then never closes."""
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
