"""Intake, routing and notify's HTTP edges in-process over one real PostgreSQL (no broker),
shared by a module: what the bad-input corpus and schemathesis send requests to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from intake.main import create_app as create_intake
from notify.domain.receipt import Receipt
from notify.http.callbacks import callback_router
from notify.usecases.record_receipt import record_receipt
from qorgau_common.auth import create_token
from qorgau_common.db import create_pool
from qorgau_common.http import service_app
from qorgau_local.postgres import Postgres
from routing.config import RoutingSettings
from routing.domain.roster import ASTANA
from routing.main import create_app as create_routing

from tests import harness
from tests.intake.conftest import NO_BROKER, PoolOnly
from tests.intake.support import create_tokens, intake_settings
from tests.routing.support import load_demo_rota
from tests.routing.usecases.test_http import PostgresOnly

CALLBACK_TOKEN = "edge-callback-token"
ROUTING_AUTH = {"Authorization": "Bearer edge-supervisor-token"}


@dataclass
class Apps:
    url: str
    pool: asyncpg.Pool
    intake: FastAPI
    routing: FastAPI
    notify: FastAPI
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self, app: FastAPI, name: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
        self.clients.append(client)
        return client


@dataclass
class _Settings:
    max_body_bytes: int = 65536


@dataclass
class _NotifyRuntime:
    settings: _Settings = field(default_factory=_Settings)


def notify_callbacks(pool: asyncpg.Pool) -> FastAPI:
    """Notify's callback route on the chassis app (body guard, problems), over `pool`."""

    async def on_receipt(receipt: Receipt) -> bool:
        return await record_receipt(pool, "http", receipt)

    app = service_app(_NotifyRuntime(), "Qorgau notify")  # type: ignore[arg-type]
    app.include_router(callback_router(CALLBACK_TOKEN, on_receipt))
    return app


@pytest.fixture(scope="module")
async def apps(pg: Postgres) -> AsyncIterator[Apps]:
    url = await harness.fresh_database(pg)
    pool = await create_pool(url)
    try:
        await create_tokens(url)
        async with pool.acquire() as conn:
            await load_demo_rota(conn, (datetime.now(ASTANA) - timedelta(days=1)).date())
            await create_token(conn, "routing", "duty-1", "supervisor", "edge-supervisor-token")
        intake = create_intake(intake_settings(url, NO_BROKER))
        intake.state.runtime = PoolOnly(pool)
        routing = create_routing(RoutingSettings())
        routing.state.runtime = PostgresOnly(pool)
        built = Apps(url, pool, intake, routing, notify_callbacks(pool))
        yield built
        for client in built.clients:
            await client.aclose()
    finally:
        await pool.close()
        await harness.drop_database(pg, url)
