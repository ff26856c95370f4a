"""Routing over a real broker: the app's own clock, so a rota around today."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
import pytest
from routing.domain.roster import ASTANA

from tests.routing.support import load_demo_rota


@pytest.fixture
async def live_pool(pool: asyncpg.Pool) -> asyncpg.Pool:
    """The test database with shifts from yesterday, as `seed-demo` leaves it."""
    async with pool.acquire() as conn:
        await load_demo_rota(conn, (datetime.now(ASTANA) - timedelta(days=1)).date())
    return pool
