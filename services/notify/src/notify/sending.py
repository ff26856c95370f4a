"""Use case: send an alert exactly once, failing over between providers.

The claim (pending → sending) makes a second sender a no-op. Each attempt's intent is
committed before the submit and its message ids after it. The one window SMPP cannot
close: a crash after a submit and before its response is recorded leaves the alert in
`sending` with a `submitting` attempt; it is never resent automatically (see
docs/notify.md). `Sender.dispatch` keeps up to `window` alerts in flight, so one slow
submit does not hold up the alerts behind it.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

import asyncpg
import structlog
from opentelemetry.trace import SpanKind
from qorgau_common.consumer import INFRASTRUCTURE_ERRORS
from qorgau_common.tracing import span
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from . import repository as repo
from .alerts import alert_text
from .failover import GiveUp, RetryLater, SendVia, Step, after_rejection, first_step, routes_for
from .metrics import ALERTS, ASSIGNMENT_TO_SUBMIT, IN_FLIGHT, SEGMENTS, SEND_FAILURES
from .phones import masked
from .provider import (
    CLAIM_LOST,
    OnWire,
    Rejected,
    SendResult,
    SmsProvider,
    Submitted,
    no_record,
)
from .sms import segment_count

log = structlog.get_logger(__name__)

T = TypeVar("T")
NOT_SENT = "none"  # provider recorded for drills that no provider may carry


@dataclass(frozen=True)
class SendPolicy:
    routes: tuple[str, ...]  # provider names, in failover order
    exercise_provider: str | None = None
    give_up_after_s: float = 120.0

    def routes_for(self, exercise: bool) -> tuple[str, ...]:
        return routes_for(exercise, self.routes, self.exercise_provider)


async def durably(write: Callable[[], Awaitable[T]]) -> T:
    """Run a database write through blips: after a submit, its record must not be lost."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(INFRASTRUCTURE_ERRORS),
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(300),
        reraise=True,
    ):
        with attempt:
            return await write()
    raise AssertionError("unreachable")


class Sender:
    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        providers: Mapping[str, SmsProvider],
        policy: SendPolicy,
        window: int = 32,
    ) -> None:
        self._pool = pool
        self._providers = providers
        self._policy = policy
        self._window = asyncio.Semaphore(max(window, 1))
        self._tasks: set[asyncio.Task[None]] = set()

    # -- the window --------------------------------------------------------------------

    async def dispatch(self, alert_id: uuid.UUID) -> None:
        """Start sending `alert_id` once a slot in the window is free; returns then."""
        await self._window.acquire()
        IN_FLIGHT.inc()
        task = asyncio.create_task(self._send_in_slot(alert_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_in_slot(self, alert_id: uuid.UUID) -> None:
        try:
            await self.send_alert(alert_id)
        except Exception as exc:  # the sweeper retries what is still pending
            log.error("alert send crashed", alert_id=str(alert_id), error=type(exc).__name__)
        finally:
            IN_FLIGHT.dec()
            self._window.release()

    async def drain(self) -> None:
        """Wait for every send in flight (graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- sending -----------------------------------------------------------------------

    async def send_alert(self, alert_id: uuid.UUID) -> None:
        alert = await repo.claim_for_sending(self._pool(), alert_id)
        if alert is None:
            return
        routes = self._policy.routes_for(alert.exercise)
        if alert.exercise and not routes:
            await self._record_drill_not_sent(alert)
            return
        await self._deliver(alert, routes, tried=[], on_exhausted="pending")

    async def resend_without_receipt(self, alert_id: uuid.UUID) -> None:
        """No receipt in time: send again through a provider this alert has not used."""
        pool = self._pool()
        alert = await repo.get_alert(pool, alert_id)
        if alert is None:
            return
        routes = self._policy.routes_for(alert.exercise)
        tried = await repo.tried_providers(pool, alert_id)
        if not [p for p in routes if p not in tried and p != alert.provider]:
            return
        alert = await repo.claim_submitted(pool, alert_id)
        if alert is None:  # a receipt or reply got there first
            return
        SEND_FAILURES.labels(alert.provider or NOT_SENT, "no_receipt").inc()
        log.warning("no receipt in time; failing over", alert_id=str(alert.id))
        await self._deliver(alert, routes, tried=tried, on_exhausted="submitted")

    async def send_text(self, phone: str, text: str, exercise: bool) -> bool:
        """A short notice (reply confirmations): any route, best effort, not recorded."""
        for name in self._policy.routes_for(exercise):
            result = await self._send_via(name, phone, text)
            if isinstance(result, Submitted):
                return True
            if not result.retryable:
                return False
        return False

    async def _deliver(
        self,
        alert: repo.Alert,
        routes: Sequence[str],
        *,
        tried: list[str],
        on_exhausted: Literal["pending", "submitted"],
    ) -> None:
        text = alert_text(alert)
        untried = [p for p in routes if p not in tried]
        step: Step = first_step(untried)
        while isinstance(step, SendVia):
            name = step.provider
            attempt: list[int] = []

            async def on_wire(provider: str = name, record: list[int] = attempt) -> bool:
                attempt_id = await durably(functools.partial(self._start_attempt, alert, provider))
                record.extend(() if attempt_id is None else (attempt_id,))
                return attempt_id is not None

            result = await self._send_via(name, alert.phone, text, on_wire)
            if result is CLAIM_LOST:  # released meanwhile; whoever claims it next sends it
                return
            tried.append(name)
            if isinstance(result, Submitted):
                await durably(
                    functools.partial(self._record_submitted, alert, attempt[0], name, text, result)
                )
                return
            SEND_FAILURES.labels(name, result.kind).inc()
            log.warning(
                "send attempt failed",
                provider=name,
                kind=result.kind,
                reason=result.reason,
                phone=masked(alert.phone),
                alert_id=str(alert.id),
            )
            if attempt:
                await durably(functools.partial(self._finish_rejected, attempt[0], result))
            created = alert.created_at or datetime.now(UTC)
            step = after_rejection(
                result,
                tried,
                routes,
                age_s=(datetime.now(UTC) - created).total_seconds(),
                give_up_after_s=self._policy.give_up_after_s,
            )
        await durably(functools.partial(self._record_unsent, alert, step, on_exhausted))

    async def _start_attempt(self, alert: repo.Alert, provider: str) -> int | None:
        async with self._pool().acquire() as conn:
            return await repo.start_attempt(conn, alert, provider)

    async def _send_via(
        self, name: str, phone: str, text: str, on_wire: OnWire = no_record
    ) -> SendResult:
        try:
            with span(f"sms send {name}", "notify", kind=SpanKind.CLIENT, provider=name):
                return await self._providers[name].send(phone, text, on_wire)
        except Exception as exc:  # a provider bug must not strand the alert in `sending`
            return Rejected(f"provider error: {type(exc).__name__}", "error")

    async def _finish_rejected(self, attempt_id: int, result: Rejected) -> None:
        async with self._pool().acquire() as conn:
            await repo.finish_attempt(conn, attempt_id, reason=result.reason)

    async def _record_submitted(
        self, alert: repo.Alert, attempt_id: int, provider: str, text: str, result: Submitted
    ) -> None:
        segments = segment_count(text)
        async with self._pool().acquire() as conn, conn.transaction():
            await repo.finish_attempt(conn, attempt_id, message_ids=result.message_ids)
            await repo.mark_submitted(conn, alert, provider, result.message_ids, segments)
            await repo.publish_update(
                conn, alert, "submitted", provider=provider, message_ids=result.message_ids
            )
        ALERTS.labels("submitted").inc()
        SEGMENTS.observe(segments)
        if alert.assigned_at is not None:
            ASSIGNMENT_TO_SUBMIT.labels(provider).observe(
                (datetime.now(UTC) - alert.assigned_at).total_seconds()
            )
        log.info("alert submitted", provider=provider, segments=segments, alert_id=str(alert.id))

    async def _record_unsent(
        self, alert: repo.Alert, step: Step, on_exhausted: Literal["pending", "submitted"]
    ) -> None:
        assert isinstance(step, RetryLater | GiveUp)
        async with self._pool().acquire() as conn, conn.transaction():
            if on_exhausted == "submitted":
                # The first SMS may still arrive: keep waiting for its receipt or a reply.
                await repo.restore_submitted(conn, alert.id, step.reason)
                return
            if isinstance(step, RetryLater):
                await repo.mark_pending(conn, alert.id, step.reason)
                log.warning("alert not sent; will retry", alert_id=str(alert.id))
                return
            await repo.set_status(conn, alert.id, "failed", step.reason)
            await repo.publish_update(conn, alert, "failed", reason=step.reason)
        ALERTS.labels("failed").inc()
        log.error("alert failed", reason=step.reason, alert_id=str(alert.id))

    async def _record_drill_not_sent(self, alert: repo.Alert) -> None:
        reason = "exercise: no provider is allowed to carry drills"
        async with self._pool().acquire() as conn, conn.transaction():
            await repo.mark_submitted(conn, alert, NOT_SENT, (), 0)
            await repo.publish_update(conn, alert, "submitted", provider=NOT_SENT, reason=reason)
        log.info("exercise alert not sent to any phone", alert_id=str(alert.id))
