"""The transaction seam: one transaction per use case, or one for a whole consumer batch.

A use case opens its effect with

    async with unit_of_work(pool) as conn:
        ...claim the event, change the rows, enqueue the outbox event...

which is a connection from the pool and a transaction on it. Inside `shared_transaction`,
the consumer guard's batch mode, every `unit_of_work` of the batch gets the batch's one
connection and joins its one transaction instead: a batch of 200 records then costs one
checkout, one BEGIN and one COMMIT, not 200 of each, and its outbox events one statement
(`outbox.written_together`; `docs/performance.md`).

A shared transaction is all or nothing. If any effect in it fails, the whole batch rolls back
and the guard applies the same records again one by one, each in its own transaction and
behind its own retries and parking, so a poison record still fails alone (`consumer.py`).

A use case may also leave a write to be made together with those of the same kind from the
rest of the batch (`deferred`): one statement for the batch's writes instead of one each; and
keep a read for the rest of the batch (`batch_memo`) when the batch's own writes keep it true.

What calls out (an SMS, an HTTP call) must not act before its rows commit: a use case hands
it to `after_commit`, which runs it at once outside a shared transaction and after the commit
inside one (a batch's actions side by side, started in the order they were handed over). A
route whose handler keeps to that says so (`EventRoutes.on(..., shared=True)`).
Nothing inside a shared transaction may take a second connection from the pool while the
batch holds row locks. The shared connection belongs to the task that opened it: a task
started inside (which inherits the context) gets a connection of its own, never that one.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import Context, ContextVar, copy_context
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy
from prometheus_client import Counter

from .outbox import written_together

__all__ = [
    "AfterCommit",
    "after_commit",
    "batch_memo",
    "claimed_ahead",
    "claimed_ahead_for",
    "deferred",
    "shared_transaction",
    "unit_of_work",
]

log = structlog.get_logger(__name__)

AFTER_COMMIT_FAILED = Counter(
    "qorgau_after_commit_failed_total",
    "Actions after a shared batch's commit that failed (each is covered by its own sweep)",
)

AfterCommit = Callable[[], Awaitable[object]]
Flush = Callable[[PoolConnectionProxy, list[Any]], Awaitable[None]]


@dataclass
class _Shared:
    conn: PoolConnectionProxy
    owner: asyncio.Task[object] | None
    after: list[tuple[AfterCommit, Context]] = field(default_factory=list)
    # Inbox claims made for the whole batch at once: per schema, the batch's event ids and
    # those of them that were new and not yet handed to their use case.
    claimed: dict[str, tuple[frozenset[uuid.UUID], set[uuid.UUID]]] = field(default_factory=dict)
    # Writes of one kind the batch's use cases left to be made together before the commit.
    deferred: dict[str, tuple[Flush, list[Any]]] = field(default_factory=dict)
    # What the batch's use cases read once and keep true themselves, by kind.
    memo: dict[str, dict[str, Any]] = field(default_factory=dict)


_SHARED: ContextVar[_Shared | None] = ContextVar("qorgau_shared_tx", default=None)


def _joined() -> _Shared | None:
    """The shared transaction this task opened, if any (not one inherited by a child task)."""
    shared = _SHARED.get()
    if shared is None or shared.owner is not asyncio.current_task():
        return None
    return shared


@asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """A connection in a transaction: the batch's, when one is open, else its own."""
    shared = _joined()
    if shared is not None:
        yield shared.conn
        return
    async with pool.acquire() as conn, conn.transaction(), written_together(conn):
        yield conn


def claimed_ahead_for(schema: str, batch: frozenset[uuid.UUID], new: set[uuid.UUID]) -> None:
    """Inside a shared transaction: the inbox claims of the whole batch were made at once
    (`inbox.claim_all`); `claimed_ahead` answers for them from now on."""
    shared = _joined()
    assert shared is not None, "only inside a shared transaction"
    shared.claimed[schema] = (batch, set(new))


def claimed_ahead(schema: str, event_id: uuid.UUID) -> bool | None:
    """Whether the batch's claim of `event_id` was new (True once: a second delivery of the
    same event in the batch gets False); None if it was not claimed ahead."""
    shared = _joined()
    if shared is None or schema not in shared.claimed:
        return None
    batch, new = shared.claimed[schema]
    if event_id not in batch:
        return None
    if event_id in new:
        new.discard(event_id)
        return True
    return False


def deferred(kind: str, flush: Flush) -> list[Any] | None:
    """Inside a shared transaction: the batch's list of `kind` writes, which `flush` makes
    together on the batch's connection once every record is applied, before the commit (so
    all or nothing with the rest of the batch). None outside one: make the write now."""
    shared = _joined()
    if shared is None:
        return None
    if kind not in shared.deferred:
        shared.deferred[kind] = (flush, [])
    return shared.deferred[kind][1]


def batch_memo(kind: str) -> dict[str, Any] | None:
    """Inside a shared transaction: the batch's memo of `kind`, a dict its use cases share
    for what they read once and then keep true themselves (empty at first, gone with the
    batch, so a batch that rolls back and is applied one by one reads afresh). None outside
    one: read every time."""
    shared = _joined()
    if shared is None:
        return None
    return shared.memo.setdefault(kind, {})


async def after_commit(action: AfterCommit) -> None:
    """Run `action` once what this task wrote has committed: now, or after the shared batch.

    After a batch, a failing action is logged and counted, not retried: the batch committed,
    so the guard must not apply it again (each caller has its sweep: a pending alert is
    sent by notify's sweeper). It runs in the context it was handed over in: its record's
    trace span and log fields."""
    shared = _joined()
    if shared is None:
        await action()
    else:
        shared.after.append((action, copy_context()))


async def _run(action: AfterCommit) -> None:
    await action()


@asynccontextmanager
async def shared_transaction(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """One connection and one transaction for every `unit_of_work` inside; all or nothing.

    The `after_commit` actions run once it committed and its connection is back, side by
    side; it ends when they all have."""
    if _joined() is not None:
        raise RuntimeError("shared transactions do not nest")
    async with pool.acquire() as conn, conn.transaction(), written_together(conn):
        shared = _Shared(conn, asyncio.current_task())
        token = _SHARED.set(shared)
        try:
            yield conn
        finally:
            _SHARED.reset(token)
        for flush, items in shared.deferred.values():
            await flush(conn, items)
    # Each a task of its own, in its record's context; not the owner, so never the batch's
    # connection (which is back in the pool by now anyway). Started in the order they were
    # handed over and run side by side: the batch ends when the slowest has, not after the
    # sum of them (a confirmation SMS awaits its submit's response; an alert waits only for
    # a slot of the send window).
    tasks = [asyncio.create_task(_run(action), context=context) for action, context in shared.after]
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, Exception):
            AFTER_COMMIT_FAILED.inc()
            log.error("action after a batch's commit failed", error=repr(outcome))
        elif isinstance(outcome, BaseException):
            raise outcome
