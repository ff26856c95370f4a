"""Group commit: small writes that arrive while one is on its way go together in the next.

Under load, many independent writes (a submit's record, the intent before a submit) come
within moments of each other, each a checkout, a BEGIN and a COMMIT of its own. A
`GroupCommit` runs what has gathered while its last transaction was on its way in one
transaction on one connection, each write in turn, their outbox events in one statement
(`outbox.written_together`; `docs/performance.md`). When nothing else
is waiting, a write goes alone, as at once as before.

A group is all or nothing. If any write in it fails, the transaction rolls back and each write
runs again alone, in its own transaction, so one that cannot be written fails alone and only
its caller sees the error (`qorgau_group_commit_fallbacks_total` counts these). A write must
therefore be safe to run twice after a rollback (it is: nothing of the first run stayed).
A caller that goes away does not take its write with it (the group goes on), and what is
still waiting when the group's task is cancelled (shutdown) is cancelled too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy
from prometheus_client import Counter

from .outbox import written_together

__all__ = ["GroupCommit"]

log = structlog.get_logger(__name__)

GROUP_FALLBACKS = Counter(
    "qorgau_group_commit_fallbacks_total",
    "Groups of writes whose one transaction failed and rolled back, then written one by one",
    ["group"],
)

T = TypeVar("T")
Write = Callable[[PoolConnectionProxy], Awaitable[T]]
_Waiting = tuple[Write[Any], "asyncio.Future[Any]"]


class GroupCommit:
    """Runs each `write(conn)` inside a transaction, together with those waiting beside it."""

    def __init__(self, pool: Callable[[], asyncpg.Pool], name: str, max_group: int = 200) -> None:
        self._pool = pool
        self._name = name
        self._max_group = max_group
        self._waiting: list[_Waiting] = []
        self._task: asyncio.Task[None] | None = None

    async def run(self, write: Write[T]) -> T:
        """What `write` returned once its transaction committed; its error if it failed alone."""
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)  # a caller that went away leaves no warning behind
        self._waiting.append((write, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._groups(), name=f"{self._name}-group-commit")
        return await asyncio.shield(done)

    async def _groups(self) -> None:
        try:
            while self._waiting:
                group = self._waiting[: self._max_group]
                del self._waiting[: self._max_group]
                if len(group) == 1 or not await self._together(group):
                    for write, done in group:
                        await self._alone(write, done)
        finally:  # cancelled (shutdown): nobody waits for ever
            for _, done in self._waiting:
                done.cancel()
            self._waiting.clear()

    async def _together(self, group: list[_Waiting]) -> bool:
        """Every write in one transaction; False (all rolled back) if any of them failed."""
        try:
            pool = self._pool()
            async with pool.acquire() as conn, conn.transaction(), written_together(conn):
                results = [await write(conn) for write, _ in group]
        except Exception as exc:
            GROUP_FALLBACKS.labels(self._name).inc()
            log.info(
                "a group of writes goes one by one", group=self._name, count=len(group),
                error=type(exc).__name__,
            )  # fmt: skip
            return False
        for (_, done), result in zip(group, results, strict=True):
            if not done.done():
                done.set_result(result)
        return True

    async def _alone(self, write: Write[Any], done: asyncio.Future[Any]) -> None:
        try:
            async with self._pool().acquire() as conn, conn.transaction():
                result = await write(conn)
        except Exception as exc:
            if not done.done():
                done.set_exception(exc)
        else:
            if not done.done():
                done.set_result(result)


def _retrieved(done: asyncio.Future[Any]) -> None:
    if not done.cancelled():
        done.exception()
