"""Intake fixtures: a real PostgreSQL pool for the use cases, and the real app over it
(no lifespan: no broker, no relay) for the HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from intake.main import create_app
from qorgau_common.db import create_pool
from qorgau_local.postgres import Postgres

from tests import harness
from tests.intake.support import create_tokens, intake_settings

# Never contacted: the HTTP tests do not run the lifespan that would start the broker.
NO_BROKER = "127.0.0.1:9"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()


@dataclass
class PoolOnly:
    """What the routes and the bearer-token check read from `app.state.runtime`."""

    pool: asyncpg.Pool
    service: str = "intake"


async def _client(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    await create_tokens(database_url)
    app = create_app(intake_settings(database_url, NO_BROKER))
    app.state.runtime = PoolOnly(pool)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client


@pytest.fixture
async def api(database_url: str, pool: asyncpg.Pool) -> AsyncIterator[httpx.AsyncClient]:
    """The production app (routes, middleware, problem handlers) on a real pool."""
    async for client in _client(database_url, pool):
        yield client


@pytest.fixture(scope="module")
async def untouched_database_url(pg: Postgres) -> AsyncIterator[str]:
    """One database for a module of requests that must all be refused and store nothing.

    Use it alone in its module: every test there checks that the tables stay empty.
    """
    url = await harness.fresh_database(pg)
    yield url
    await harness.drop_database(pg, url)


@pytest.fixture(scope="module")
async def refusing_api(untouched_database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    pool = await create_pool(untouched_database_url)
    try:
        async for client in _client(untouched_database_url, pool):
            yield client
    finally:
        await pool.close()
