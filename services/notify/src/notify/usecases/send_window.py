"""Up to `window` sends at once (alerts, and the notices that answer a reply), so one slow
submit does not hold up the rest, and nobody who hands one over waits for its SMSC."""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from qorgau_common.unit_of_work import AfterCommit, after_commit

from notify.metrics import IN_FLIGHT

from .send_alert import Sending, send_alert

log = structlog.get_logger(__name__)

Send = Callable[[], Awaitable[object]]
Start = Callable[[AfterCommit], Awaitable[None]]


async def notice_after_commit(send: AfterCommit, start: Start | None) -> None:
    """`send` (a notice) once what this task wrote has committed: handed to `start` (the
    send window's `start_notice`, which returns once it is on its way) if given, else
    awaited."""
    await after_commit(send if start is None else functools.partial(start, send))


class SendWindow:
    def __init__(self, sending: Sending, window: int = 32) -> None:
        self.sending = sending
        self._slots = asyncio.Semaphore(max(window, 1))
        self._tasks: set[asyncio.Task[None]] = set()

    async def dispatch(self, alert_id: uuid.UUID, *, now: datetime | None = None) -> None:
        """Start sending `alert_id` once a slot is free; returns then."""
        send = functools.partial(send_alert, self.sending, alert_id, now=now)
        await self._start(send, "alert send crashed", alert_id=str(alert_id))

    async def start_notice(self, send: Send) -> None:
        """Start a notice (a reply's confirmation, an update SMS) once a slot is free; returns
        then: the consumer batch that committed it goes on while it is on the wire. Best
        effort, as every notice: a notice that fails is logged, not retried."""
        await self._start(send, "notice send crashed")

    async def _start(self, send: Send, crashed: str, **fields: str) -> None:
        await self._slots.acquire()
        IN_FLIGHT.inc()
        task = asyncio.create_task(self._send_in_slot(send, crashed, fields))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_in_slot(self, send: Send, crashed: str, fields: dict[str, str]) -> None:
        try:
            await send()
        except Exception as exc:  # an alert still pending is the sweeper's; a notice is lost
            log.error(crashed, error=type(exc).__name__, **fields)
        finally:
            IN_FLIGHT.dec()
            self._slots.release()

    async def drain(self) -> None:
        """Wait for every send in flight (graceful shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
