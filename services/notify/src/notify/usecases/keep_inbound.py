"""Use case: what the SMSC delivers (receipts, officers' replies) is kept before it is acted on.

smpp34 acknowledges every deliver_sm at once, so the SMSC never sends it again: an officer's
"1" that met a database blip was gone. Now each one is first written to `notify.inbound`
(retried while the database is away, for up to `keep_for_s`), then acted on in a transaction
that also removes the row. A row whose first try failed, or whose process died, is acted on
by `sweep`; one that keeps failing for another reason is parked after `max_attempts` and
counted (`qorgau_notify_inbound_kept{state="parked"}`) for a person to look at.
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

from notify.db import inbound
from notify.db.inbound import Inbound, InboundKind
from notify.metrics import INBOUND_KEPT, INBOUND_LOST, INBOUND_UNSAVED

log = structlog.get_logger(__name__)

Act = Callable[[Inbound], Awaitable[None]]


@dataclass(frozen=True)
class InboundPolicy:
    keep_for_s: float = 300.0  # how long an unsaved one is retried while the database is away
    sweep_after_s: float = 10.0  # a kept row not acted on by then is the sweep's
    max_attempts: int = 5
    retry_max_s: float = 5.0


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

    def stop(self) -> None:
        """Stop retrying saves (shutdown): what is still unsaved is logged as lost."""
        self._stopping.set()

    async def receive(self, kind: InboundKind, provider: str, body: dict[str, Any]) -> None:
        received_at = datetime.now(UTC)
        inbound_id = await self._keep(kind, provider, body)
        if inbound_id is None:
            return
        await self._act(Inbound(inbound_id, kind, provider, body, received_at))

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
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._policy.keep_for_s
        delay = 0.2
        INBOUND_UNSAVED.inc()
        try:
            while True:
                try:
                    async with self._pool().acquire() as conn:
                        return await inbound.keep(conn, kind, provider, body)
                except Exception as exc:
                    if not is_infrastructure_error(exc):
                        raise
                    if self._stopping.is_set() or loop.time() > give_up_at:
                        INBOUND_LOST.labels(kind).inc()
                        log.error(
                            "inbound SMS lost: the database was away until shutdown or timeout",
                            kind=kind,
                            error=type(exc).__name__,
                        )
                        return None
                    log.warning("database away; inbound SMS held", kind=kind, retry_in_s=delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), delay)
                    delay = min(delay * 2, self._policy.retry_max_s)
        finally:
            INBOUND_UNSAVED.dec()

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
