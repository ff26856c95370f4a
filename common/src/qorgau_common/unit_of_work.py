"""The transaction seam: one transaction per use case, or one for a whole consumer batch.

A use case opens its effect with

    async with unit_of_work(pool) as conn:
        ...claim the event, change the rows, enqueue the outbox event...

which is a connection from the pool and a transaction on it. Inside `shared_transaction`,
the consumer guard's batch mode, every `unit_of_work` of the batch gets the batch's one
connection and joins its one transaction instead: a batch of 200 records then costs one
checkout, one BEGIN and one COMMIT, not 200 of each (`docs/performance.md`).

A shared transaction is all or nothing. If any effect in it fails, the whole batch rolls back
and the guard applies the same records again one by one, each in its own transaction and
behind its own retries and parking, so a poison record still fails alone (`consumer.py`).

Only effects that live wholly in this service's database may share a transaction: an effect
that calls out (an SMS, an HTTP call) must not act before its rows commit. A route says so
(`EventRoutes.on(..., shared=True)`). Nothing inside a shared transaction may take a second
connection from the pool while the batch holds row locks, or start tasks that use `conn`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

__all__ = ["shared_transaction", "unit_of_work"]

_SHARED: ContextVar[PoolConnectionProxy | None] = ContextVar("qorgau_shared_tx", default=None)


@asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """A connection in a transaction: the batch's, when one is open, else its own."""
    shared = _SHARED.get()
    if shared is not None:
        yield shared
        return
    async with pool.acquire() as conn, conn.transaction():
        yield conn


@asynccontextmanager
async def shared_transaction(pool: asyncpg.Pool) -> AsyncIterator[None]:
    """One connection and one transaction for every `unit_of_work` inside; all or nothing."""
    if _SHARED.get() is not None:
        raise RuntimeError("shared transactions do not nest")
    async with pool.acquire() as conn, conn.transaction():
        token = _SHARED.set(conn)
        try:
            yield
        finally:
            _SHARED.reset(token)
