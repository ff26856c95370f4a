"""A LISTEN connection that survives the database dropping it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog

__all__ = ["Listener"]

log = structlog.get_logger(__name__)


class Listener:
    """A LISTEN connection that comes back after the database does (polling covers the gap)."""

    def __init__(self, pool: asyncpg.Pool, channel: str, callback: Callable[..., Any]) -> None:
        self._pool = pool
        self._channel = channel
        self._callback = callback
        self._conn: Any = None
        self._lost = False

    def _on_lost(self, *_: object) -> None:
        # The server dropped the connection (restart, failover): wake the relay to LISTEN again.
        self._lost = True
        self._callback()

    def _alive(self) -> bool:
        try:
            return self._conn is not None and not self._lost and not self._conn.is_closed()
        except asyncpg.InterfaceError:  # the pool took back a connection the server dropped
            return False

    async def ensure(self) -> None:
        if self._alive():
            return
        await self.close()
        try:
            conn = await self._pool.acquire()
        except Exception as exc:
            log.warning("cannot LISTEN yet; polling", error=type(exc).__name__)
            return
        self._conn = conn
        self._lost = False
        try:
            conn.add_termination_listener(self._on_lost)
            await conn.add_listener(self._channel, self._callback)
        except Exception as exc:
            log.warning("cannot LISTEN yet; polling", error=type(exc).__name__)
            await self.close()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(Exception):
            conn.remove_termination_listener(self._on_lost)
        with contextlib.suppress(Exception):
            await conn.remove_listener(self._channel, self._callback)
        with contextlib.suppress(Exception):
            await self._pool.release(conn)
