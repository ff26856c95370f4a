"""One poller per console process: routing's board and intake's latest incidents, shared by
every open page, so a hundred open boards cost intake and routing one request a second.

Pages subscribe; each new snapshot wakes them (server-sent events) to fetch their part.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from console.clients.errors import ApiError
from console.clients.ports import IntakeApi, RoutingApi
from console.domain.models import BoardEntry, IncidentSummary

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    version: int = 0
    at: datetime | None = None
    board: tuple[BoardEntry, ...] = ()
    incidents: dict[str, IncidentSummary] = field(default_factory=dict)
    stale: bool = True  # the last poll failed: pages say so instead of showing old data

    def entry(self, incident_id: str) -> BoardEntry | None:
        """The board's entry for an incident, if routing has it."""
        return next((e for e in self.board if e.incident_id == incident_id), None)


class LiveFeed:
    def __init__(self, intake: IntakeApi, routing: RoutingApi, interval_s: float) -> None:
        self._intake = intake
        self._routing = routing
        self._interval = interval_s
        self._snapshot = Snapshot()
        self._changed = asyncio.Condition()
        self._wanted = asyncio.Event()
        self._fingerprint: object = None
        self._watchers = 0
        self._closing = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    async def fresh(self) -> Snapshot:
        """The current snapshot, polling first if there is none yet (or it failed)."""
        if self._snapshot.stale:
            await self.poll_once()
        return self._snapshot

    async def poll_once(self) -> None:
        try:
            board, incidents = await asyncio.gather(
                self._routing.board(), self._intake.incidents(limit=200)
            )
        except ApiError as exc:
            log.warning("live feed poll failed", status=exc.status)
            if not self._snapshot.stale:
                await self._publish(self._snapshot.board, self._snapshot.incidents, stale=True)
            return
        by_id = {i.incident_id: i for i in incidents}
        fingerprint = (tuple(board.open), tuple(sorted((k, v.status) for k, v in by_id.items())))
        if fingerprint != self._fingerprint or self._snapshot.stale:
            self._fingerprint = fingerprint
            await self._publish(tuple(board.open), by_id, stale=False)

    async def _publish(
        self, board: tuple[BoardEntry, ...], incidents: dict[str, IncidentSummary], *, stale: bool
    ) -> None:
        self._snapshot = Snapshot(
            self._snapshot.version + 1, datetime.now(UTC), board, incidents, stale
        )
        async with self._changed:
            self._changed.notify_all()

    async def run(self) -> None:
        """Poll while someone is watching; idle otherwise (no audit noise in intake)."""
        while True:
            await self._wanted.wait()
            await self.poll_once()
            await asyncio.sleep(self._interval)

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """The poller runs while at least one page watches."""
        self._watchers += 1
        self._wanted.set()
        try:
            yield
        finally:
            self._watchers -= 1
            if self._watchers == 0:
                self._wanted.clear()

    async def wait_newer(self, after: int, timeout_s: float) -> int | None:
        """The version once it passes `after`; None on timeout or when closing."""
        try:
            async with asyncio.timeout(timeout_s), self._changed:
                await self._changed.wait_for(
                    lambda: self._closing or self._snapshot.version > after
                )
        except TimeoutError:
            return None
        return None if self._closing else self._snapshot.version

    async def close(self) -> None:
        """Ends every open stream (uvicorn waits for them before it stops)."""
        self._closing = True
        async with self._changed:
            self._changed.notify_all()

    @property
    def closing(self) -> bool:
        return self._closing


@contextlib.asynccontextmanager
async def running(feed: LiveFeed) -> AsyncIterator[LiveFeed]:
    task = asyncio.create_task(feed.run())
    try:
        yield feed
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
