"""Notify's shared fixtures: a pool on a fresh database, fake providers, and what the use
cases wrote (alerts, attempts, `alert.updated.v1` in the outbox)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from notify.providers.fake import FakeProvider
from notify.providers.routes import Routes
from notify.usecases.send_alert import Sending
from notify.usecases.send_window import SendWindow
from qorgau_common.db import create_pool
from qorgau_contracts import AlertUpdated, ReplyReceived


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
def primary() -> FakeProvider:
    return FakeProvider("smpp")


@pytest.fixture
def backup() -> FakeProvider:
    return FakeProvider("http")


@pytest.fixture
def sending(pool: asyncpg.Pool, primary: FakeProvider, backup: FakeProvider) -> Sending:
    return Sending(pool, Routes.of(primary, backup), give_up_after_s=120)


@pytest.fixture
async def window(sending: Sending) -> AsyncIterator[SendWindow]:
    window = SendWindow(sending, window=4)
    yield window
    await window.drain()


def now() -> datetime:
    return datetime.now(UTC)


async def updates(pool: asyncpg.Pool) -> list[AlertUpdated]:
    """Every `alert.updated.v1` in the outbox, in order."""
    rows = await pool.fetch(
        "SELECT payload FROM notify.outbox WHERE topic = 'alert.updated.v1' ORDER BY id"
    )
    return [AlertUpdated.model_validate_json(r["payload"]) for r in rows]


async def replies_sent(pool: asyncpg.Pool) -> list[ReplyReceived]:
    """Every `reply.received.v1` in the outbox, in order."""
    rows = await pool.fetch(
        "SELECT payload FROM notify.outbox WHERE topic = 'reply.received.v1' ORDER BY id"
    )
    return [ReplyReceived.model_validate_json(r["payload"]) for r in rows]


async def alert_row(pool: asyncpg.Pool, assignment_id: uuid.UUID) -> dict[str, Any]:
    row = await pool.fetchrow("SELECT * FROM notify.alerts WHERE assignment_id = $1", assignment_id)
    assert row is not None, f"no alert for assignment {assignment_id}"
    return dict(row)


async def attempts(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    rows = await pool.fetch("SELECT provider, status FROM notify.attempts ORDER BY id")
    return [(r["provider"], r["status"]) for r in rows]
