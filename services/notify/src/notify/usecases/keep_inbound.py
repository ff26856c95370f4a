"""Use case: what the SMSC delivers (receipts, officers' replies) is kept before it is acted on.

smpp34 acknowledges every deliver_sm at once, so the SMSC never sends it again: an officer's
"1" that met a database blip was gone. Now each one is first written to `notify.inbound`
(retried while the database is away, for up to `keep_for_s`), then acted on in a transaction
that also removes the row. Both steps go by group commit:

- what arrives while a keep is on its way is kept together by the next one, in one
  statement;
- what has been kept while an act is on its way is acted on together by the next one, in one
  shared transaction (`qorgau_common.unit_of_work`): one checkout, one BEGIN, one statement
  that takes every row of the group, and one COMMIT. If anything in it fails, it rolls back
  and each row is acted on alone, as before, so one that cannot be acted on fails alone
  (`qorgau_notify_inbound_group_fallbacks_total` counts these).

Under load the receipts and replies so cost a round trip and a commit per group, not per SMS.
A row whose first try failed, or whose process died, is acted on by `sweep`; one that keeps
failing for another reason is parked after `max_attempts` and counted
(`qorgau_notify_inbound_kept{state="parked"}`) for a person to look at.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import structlog
from qorgau_common.infrastructure import is_infrastructure_error
from qorgau_common.unit_of_work import shared_transaction

from notify.db import inbound
from notify.db.inbound import Inbound, InboundKind
from notify.metrics import (
    INBOUND_GROUP_FALLBACKS,
    INBOUND_IN_HAND,
    INBOUND_KEPT,
    INBOUND_LOST,
    INBOUND_UNSAVED,
)

log = structlog.get_logger(__name__)

Act = Callable[[Inbound], Awaitable[None]]


Arrived = tuple[InboundKind, str, dict[str, Any]]


@dataclass(frozen=True)
class InboundPolicy:
    keep_for_s: float = 300.0  # how long an unsaved one is retried while the database is away
    sweep_after_s: float = 10.0  # a kept row not acted on by then is the sweep's
    max_attempts: int = 5
    retry_max_s: float = 5.0
    group_max: int = 200  # most rows acted on in one shared transaction
    # Most kept rows waiting in memory to be acted on. Beyond it (acting is behind: a backlog
    # drains), a kept row waits in `notify.inbound` alone and is taken from there, a group at
    # a time, once those in memory are done: memory stays bounded however long the queue.
    in_hand_max: int = 1000


class InboundKeeper:
    """Keeps each inbound SMS, then acts on it: `acts[kind]` takes the kept row."""

    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        acts: dict[InboundKind, Act],
        policy: InboundPolicy = InboundPolicy(),
    ) -> None:
        self._pool = pool
        self._acts = acts
        self._policy = policy
        self._stopping = asyncio.Event()
        self._arrived: list[tuple[Arrived, asyncio.Future[int | None]]] = []
        self._keeping: asyncio.Task[None] | None = None
        self._kept: list[tuple[Inbound, asyncio.Future[None]]] = []
        self._acting: asyncio.Task[None] | None = None
        self._left_in_table = False

    def stop(self) -> None:
        """Stop retrying saves (shutdown): what is still unsaved is logged as lost."""
        self._stopping.set()

    async def receive(self, kind: InboundKind, provider: str, body: dict[str, Any]) -> None:
        received_at = datetime.now(UTC)
        # jsonb cannot hold U+0000, and an SMS (UCS-2) can: kept as U+FFFD, never refused.
        body = {
            k: v.replace("\x00", "\ufffd") if isinstance(v, str) else v for k, v in body.items()
        }
        with INBOUND_IN_HAND.track_inprogress():
            inbound_id = await self._keep(kind, provider, body)
            if inbound_id is None:
                return
            if len(self._kept) >= self._policy.in_hand_max:  # acting is behind
                self._left_in_table = True
                self._start_acting()
                return
            await self._act_with_others(Inbound(inbound_id, kind, provider, body, received_at))

    async def settled(self) -> None:
        """Wait until what was received has been acted on (tests, and shutdown)."""
        while self._acting is not None and not self._acting.done():
            await asyncio.shield(self._acting)

    async def sweep(self, limit: int = 100) -> int:
        """Act on kept rows that were not acted on in time; the number acted on."""
        async with self._pool().acquire() as conn:
            rows = await inbound.waiting(
                conn, self._policy.sweep_after_s, self._policy.max_attempts, limit
            )
        done = 0
        for row in rows:
            done += await self._act(row)
        async with self._pool().acquire() as conn:
            waiting, parked = await inbound.counts(conn, self._policy.max_attempts)
        INBOUND_KEPT.labels("waiting").set(waiting)
        INBOUND_KEPT.labels("parked").set(parked)
        return done

    async def _keep(self, kind: InboundKind, provider: str, body: dict[str, Any]) -> int | None:
        """The kept row's id (None if it was lost), kept with whatever else has arrived."""
        kept: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._arrived.append(((kind, provider, body), kept))
        INBOUND_UNSAVED.inc()
        if self._keeping is None or self._keeping.done():
            self._keeping = asyncio.create_task(self._keep_groups(), name="notify-inbound-keep")
        # Shielded: a caller that goes away does not take its group's keep with it.
        return await asyncio.shield(kept)

    async def _keep_groups(self) -> None:
        while self._arrived:
            group, self._arrived = self._arrived, []
            try:
                ids = await self._keep_group([arrived for arrived, _ in group])
            except asyncio.CancelledError:  # shutdown: nobody waits for them for ever
                for _, kept in group:
                    INBOUND_UNSAVED.dec()
                    kept.cancel()
                raise
            except Exception:  # one of them cannot be kept: each alone, so only it fails
                for arrived, kept in group:
                    await self._keep_alone(arrived, kept)
            else:
                for (_, kept), inbound_id in zip(group, ids, strict=True):
                    INBOUND_UNSAVED.dec()
                    kept.set_result(inbound_id)

    async def _keep_alone(self, arrived: Arrived, kept: asyncio.Future[int | None]) -> None:
        try:
            (inbound_id,) = await self._keep_group([arrived])
        except Exception as exc:
            kept.set_exception(exc)
        else:
            kept.set_result(inbound_id)
        finally:
            INBOUND_UNSAVED.dec()

    async def _keep_group(self, group: list[Arrived]) -> list[int | None]:
        """Their ids, retried while the database is away; all None if it stayed away until
        shutdown or `keep_for_s`."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._policy.keep_for_s
        delay = 0.2
        while True:
            try:
                async with self._pool().acquire() as conn:
                    return list(await inbound.keep_all(conn, group))
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                if self._stopping.is_set() or loop.time() > give_up_at:
                    for kind, _, _ in group:
                        INBOUND_LOST.labels(kind).inc()
                    log.error(
                        "inbound SMS lost: the database was away until shutdown or timeout",
                        kinds=sorted({kind for kind, _, _ in group}),
                        count=len(group),
                        error=type(exc).__name__,
                    )
                    return [None] * len(group)
                log.warning("database away; inbound SMS held", count=len(group), retry_in_s=delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), delay)
                delay = min(delay * 2, self._policy.retry_max_s)

    async def _act_with_others(self, row: Inbound) -> None:
        """Act on `row` together with whatever else was kept meanwhile."""
        acted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._kept.append((row, acted))
        self._start_acting()
        await asyncio.shield(acted)

    def _start_acting(self) -> None:
        if self._acting is None or self._acting.done():
            self._acting = asyncio.create_task(self._act_groups(), name="notify-inbound-act")

    async def _act_groups(self) -> None:
        while self._kept or self._left_in_table:
            if not self._kept:
                self._left_in_table = False
                await self._act_left_in_table()
                continue
            group = self._kept[: self._policy.group_max]
            del self._kept[: self._policy.group_max]
            rows = [row for row, _ in group]
            try:
                if len(rows) == 1 or await self._acted_together(rows) is None:
                    for row in rows:
                        await self._act(row)
            finally:  # cancelled (shutdown): the sweep acts on what is left
                for _, acted in group:
                    if not acted.done():
                        acted.set_result(None)

    async def _act_left_in_table(self) -> None:
        """Act on rows left in `notify.inbound` while acting was behind, oldest first, a group
        at a time, until none is left; what arrives in memory meanwhile goes first."""
        while True:
            if self._kept:
                self._left_in_table = True  # back after those
                return
            try:
                async with self._pool().acquire() as conn:
                    rows = await inbound.fresh(conn, self._policy.group_max)
            except Exception as exc:  # the sweep takes them once the database is back
                log.warning("inbound SMS left for the sweep", error=type(exc).__name__)
                return
            if not rows:
                return
            done = await self._acted_together(rows) if len(rows) > 1 else None
            if done is None:
                done = sum([await self._act(row) for row in rows])
            if done == 0 or len(rows) < self._policy.group_max:
                # None could be acted on here (another replica has them, or they fail: the
                # sweep retries those), or none is left.
                return

    async def _acted_together(self, rows: list[Inbound]) -> int | None:
        """Act on every row in one shared transaction: how many it took and acted on (not
        those another transaction has or had), or None (all rolled back) if any failed."""
        try:
            async with shared_transaction(self._pool()) as conn:
                taken = await inbound.take_all(conn, [row.id for row in rows])
                with inbound.taken_ahead(taken):
                    for row in rows:
                        if row.id in taken:  # else acted on already (the sweep got there)
                            await self._acts[row.kind](row)
        except Exception as exc:
            INBOUND_GROUP_FALLBACKS.inc()
            log.info(
                "a group of inbound SMS is acted on one by one",
                count=len(rows),
                error=type(exc).__name__,
            )
            return None
        return len(taken)

    async def _act(self, row: Inbound) -> int:
        try:
            await self._acts[row.kind](row)
            return 1
        except Exception as exc:
            log.warning(
                "inbound SMS kept but not acted on yet; the sweep retries it",
                kind=row.kind,
                error=type(exc).__name__,
            )
            if not is_infrastructure_error(exc):
                try:
                    async with self._pool().acquire() as conn:
                        await inbound.failed(conn, row.id, repr(exc))
                except Exception as again:
                    log.warning("could not count the failure", error=type(again).__name__)
            return 0
