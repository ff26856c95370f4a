"""Routing's fixtures: one database per session, routing's schema made afresh per test.

Creating and migrating a whole database costs about a second on this machine; dropping and
migrating routing's schema alone, and loading the demo rota, costs a small part of that.
(The audit trail refuses TRUNCATE, so the schema is dropped instead.)
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg
import pytest
from qorgau_common.db import create_pool, migrate
from qorgau_local.postgres import Postgres
from routing.consumers import MIGRATIONS, SERVICE

from tests import harness
from tests.routing.support import load_demo_rota


@pytest.fixture(scope="session")
async def routing_database(pg: Postgres) -> AsyncIterator[str]:
    url = await harness.fresh_database(pg)
    yield url
    await harness.drop_database(pg, url)


@contextlib.asynccontextmanager
async def pool_on(url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(url)
    try:
        await pool.execute(f'DROP SCHEMA IF EXISTS "{SERVICE}" CASCADE')
        await migrate(url, SERVICE, MIGRATIONS)
        async with pool.acquire() as conn:
            await load_demo_rota(conn)
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def pool(routing_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on routing's test database, holding nothing but the demo rota around NOW."""
    async with pool_on(routing_database) as pool:
        yield pool
