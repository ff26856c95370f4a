"""Up to `window` alerts being sent at once, so one slow submit does not hold up the rest."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import structlog

from notify.metrics import IN_FLIGHT

from .send_alert import Sending, send_alert

log = structlog.get_logger(__name__)


class SendWindow:
    def __init__(self, sending: Sending, window: int = 32) -> None:
        self.sending = sending
        self._slots = asyncio.Semaphore(max(window, 1))
        self._tasks: set[asyncio.Task[None]] = set()

    async def dispatch(self, alert_id: uuid.UUID, *, now: datetime | None = None) -> None:
        """Start sending `alert_id` once a slot is free; returns then."""
        await self._slots.acquire()
        IN_FLIGHT.inc()
        task = asyncio.create_task(self._send_in_slot(alert_id, now))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_in_slot(self, alert_id: uuid.UUID, now: datetime | None) -> None:
        try:
            await send_alert(self.sending, alert_id, now=now)
        except Exception as exc:  # the sweeper retries what is still pending
            log.error("alert send crashed", alert_id=str(alert_id), error=type(exc).__name__)
        finally:
            IN_FLIGHT.dec()
            self._slots.release()

    async def drain(self) -> None:
        """Wait for every send in flight (graceful shutdown, and tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
