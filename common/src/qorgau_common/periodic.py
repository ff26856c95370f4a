"""Background rounds (reconcile, escalate, sweep): one helper to start, survive and stop them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog

from .infrastructure import is_infrastructure_error

__all__ = ["periodically"]

log = structlog.get_logger(__name__)


async def _rounds(name: str, every_s: float, tick: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await tick()
        except Exception as exc:  # one failed round must not stop the next ones
            if is_infrastructure_error(exc):
                log.warning("round failed; will retry", task=name, error=type(exc).__name__)
            else:
                log.error("round failed", task=name, error=repr(exc))
        await asyncio.sleep(every_s)


@contextlib.asynccontextmanager
async def periodically(
    name: str, every_s: float, tick: Callable[[], Awaitable[object]]
) -> AsyncIterator[asyncio.Task[None]]:
    """Run `tick` every `every_s` seconds while the block runs; cancel it on the way out.

    A round that raises is logged and the next one runs on schedule, so a database blip or
    a bug in one case never stops the loop for every other case.
    """
    task = asyncio.create_task(_rounds(name, every_s, tick), name=name)
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
