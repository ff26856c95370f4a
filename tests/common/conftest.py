from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from qorgau_common.db import create_pool


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    yield pool
    await pool.close()
