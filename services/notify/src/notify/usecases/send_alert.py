"""Use case: send an alert exactly once, failing over between providers.

The claim (pending → sending) makes a second sender a no-op. Each attempt's intent is
committed before the submit and its message ids after it, retried until the database
answers: while this process lives, a submit's outcome is recorded, never lost. The one
window SMPP cannot close: a crash after a submit and before its response is recorded
leaves the alert in `sending` with a `submitting` attempt; it is never resent
automatically (see docs/notify.md). Each claim names the process that holds it
(`Sending.instance_id`), and `Sending.in_hand` is what this process is sending now, so
the sweep fails an alert in doubt only once its sender is really gone.
`send_window.SendWindow` runs several of these at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, TypeVar

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.group_commit import GroupCommit
from qorgau_common.infrastructure import is_infrastructure_error
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential

from notify.db import alerts, attempts, claims, submits
from notify.db.outbox import enqueue_alert_updated
from notify.db.submits import Recorded
from notify.domain.alert import DRILL_NOT_SENT_REASON, Alert, alert_text, alert_updated
from notify.domain.phones import masked
from notify.domain.sms import segment_count
from notify.metrics import ALERTS, ASSIGNMENT_TO_SUBMIT, SEGMENTS, SEND_FAILURES
from notify.providers.base import CLAIM_LOST, Rejected, Submitted
from notify.providers.failover import GiveUp, RetryLater, SendVia, Step, after_rejection, first_step
from notify.providers.routes import Routes

from .record_receipt import apply_early_receipts

log = structlog.get_logger(__name__)

T = TypeVar("T")
NOT_SENT = "none"  # provider recorded for drills that no provider may carry
Exhausted = Literal["pending", "submitted"]  # where an alert goes back when every route failed


@dataclass(frozen=True)
class Sending:
    """What sending needs: the pool, the provider routes, and when to give up; which
    process this is (the owner its claims name) and the alerts it is sending now. The
    intent before each submit and the record after it are written by group commit
    (`writes`): those of the sends in flight together share a transaction."""

    pool: asyncpg.Pool
    routes: Routes
    give_up_after_s: float = 120.0
    instance_id: uuid.UUID = field(default_factory=uuid.uuid4)
    in_hand: Counter[uuid.UUID] = field(default_factory=Counter)
    writes: GroupCommit = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "writes", GroupCommit(lambda: self.pool, "notify-sends"))


@contextlib.contextmanager
def _holding(sending: Sending, alert_id: uuid.UUID) -> Iterator[None]:
    """`alert_id` is this process's to send (and to record) until the block ends."""
    sending.in_hand[alert_id] += 1
    try:
        yield
    finally:
        sending.in_hand[alert_id] -= 1
        if sending.in_hand[alert_id] <= 0:
            del sending.in_hand[alert_id]


_FIRST_RETRY_S = 0.2


async def durably(write: Callable[[], Awaitable[T]]) -> T:
    """Run a database write until the database answers: after a submit, its record must not
    be lost while this process lives (the sweep leaves alerts in hand alone meanwhile).
    The first try goes straight to the write: tenacity's retry loop, a tenth of a
    millisecond a write, is entered only once the database has failed it."""
    try:
        return await write()
    except Exception as exc:
        if not is_infrastructure_error(exc):
            raise
    await asyncio.sleep(_FIRST_RETRY_S)  # as the loop would have waited before its second try
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_infrastructure_error),
        wait=wait_exponential(multiplier=0.2, max=2),
        reraise=True,
    ):
        with attempt:
            return await write()
    raise AssertionError("unreachable")


async def send_alert(sending: Sending, alert_id: uuid.UUID, *, now: datetime | None = None) -> None:
    """Claim a pending alert and send it through the first route that takes it."""
    alert = await claims.claim_pending(sending.pool, alert_id, sending.instance_id)
    if alert is None:
        return
    with _holding(sending, alert.id):
        routes = sending.routes.for_alert(alert.exercise)
        if alert.exercise and not routes:
            await durably(functools.partial(_record_drill_not_sent, sending, alert))
            return
        await _deliver(sending, alert, routes, tried=[], on_exhausted="pending", now=now)


async def resend_without_receipt(
    sending: Sending, alert_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """No receipt in time: send again through a provider this alert has not used."""
    alert = await alerts.get_alert(sending.pool, alert_id)
    if alert is None:
        return
    routes = sending.routes.for_alert(alert.exercise)
    tried = await attempts.tried_providers(sending.pool, alert_id)
    if not [p for p in routes if p not in tried and p != alert.provider]:
        return
    alert = await claims.claim_submitted(sending.pool, alert_id, sending.instance_id)
    if alert is None:  # a receipt or reply got there first
        return
    SEND_FAILURES.labels(alert.provider or NOT_SENT, "no_receipt").inc()
    log.warning("no receipt in time; failing over", alert_id=str(alert.id))
    with _holding(sending, alert.id):
        await _deliver(sending, alert, routes, tried=tried, on_exhausted="submitted", now=now)


async def _deliver(
    sending: Sending,
    alert: Alert,
    routes: Sequence[str],
    *,
    tried: list[str],
    on_exhausted: Exhausted,
    now: datetime | None,
) -> None:
    text = alert_text(alert)
    step: Step = first_step([p for p in routes if p not in tried])
    while isinstance(step, SendVia):
        name = step.provider
        attempt: list[int] = []

        async def on_wire(provider: str = name, record: list[int] = attempt) -> bool:
            attempt_id = await durably(functools.partial(_start_attempt, sending, alert, provider))
            record.extend(() if attempt_id is None else (attempt_id,))
            return attempt_id is not None

        result = await sending.routes.send_via(name, alert.phone, text, on_wire)
        if result is CLAIM_LOST:  # released meanwhile; whoever claims it next sends it
            return
        tried.append(name)
        if isinstance(result, Submitted):
            await durably(
                functools.partial(_record_submitted, sending, alert, attempt[0], name, text, result)
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
            await durably(functools.partial(_finish_rejected, sending, attempt[0], result))
        at = now or datetime.now(UTC)
        step = after_rejection(
            result,
            tried,
            routes,
            age_s=(at - (alert.created_at or at)).total_seconds(),
            give_up_after_s=sending.give_up_after_s,
        )
    await durably(functools.partial(_record_unsent, sending, alert, step, on_exhausted))


async def _start_attempt(sending: Sending, alert: Alert, provider: str) -> int | None:
    async def write(conn: Connection) -> int | None:
        return await attempts.start_attempt(conn, alert.id, alert.claim_token, provider)

    return await sending.writes.run(write)


async def _finish_rejected(sending: Sending, attempt_id: int, result: Rejected) -> None:
    async with sending.pool.acquire() as conn:
        await attempts.reject_attempt(conn, attempt_id, result.reason)


async def _record_submitted(
    sending: Sending, alert: Alert, attempt_id: int, provider: str, text: str, result: Submitted
) -> None:
    segments = segment_count(text)
    ids = result.message_ids

    async def write(conn: Connection) -> Recorded | None:
        recorded = await submits.record_submit(
            conn, alert.id, alert.claim_token, attempt_id, provider, ids, segments
        )
        if recorded is not None:
            event = alert_updated(alert, "submitted", provider=provider, message_ids=ids)
            await enqueue_alert_updated(conn, event)
            await apply_early_receipts(conn, recorded.alert, recorded.early)
        return recorded

    if await sending.writes.run(write) is None:
        # Our earlier try committed before the database went away, or the alert was
        # failed in doubt meanwhile (this process looked dead): either way it stands.
        log.warning("submit recorded; the claim had ended", alert_id=str(alert.id))
        return
    ALERTS.labels("submitted").inc()
    SEGMENTS.observe(segments)
    if alert.assigned_at is not None:
        ASSIGNMENT_TO_SUBMIT.labels(provider).observe(
            (datetime.now(UTC) - alert.assigned_at).total_seconds()
        )
    log.info("alert submitted", provider=provider, segments=segments, alert_id=str(alert.id))


async def _record_unsent(
    sending: Sending, alert: Alert, step: Step, on_exhausted: Exhausted
) -> None:
    assert isinstance(step, RetryLater | GiveUp)
    async with sending.pool.acquire() as conn, conn.transaction():
        if on_exhausted == "submitted":
            # The first SMS may still arrive: keep waiting for its receipt or a reply.
            await alerts.set_status(conn, alert.id, "submitted", step.reason, only_from="sending")
            return
        if isinstance(step, RetryLater):
            await alerts.set_status(conn, alert.id, "pending", step.reason)
            log.warning("alert not sent; will retry", alert_id=str(alert.id))
            return
        await alerts.set_status(conn, alert.id, "failed", step.reason)
        await enqueue_alert_updated(conn, alert_updated(alert, "failed", reason=step.reason))
    ALERTS.labels("failed").inc()
    log.error("alert failed", reason=step.reason, alert_id=str(alert.id))


async def _record_drill_not_sent(sending: Sending, alert: Alert) -> None:
    async with sending.pool.acquire() as conn, conn.transaction():
        if await alerts.mark_submitted(conn, alert.id, alert.claim_token, NOT_SENT, (), 0) is None:
            return
        event = alert_updated(alert, "submitted", provider=NOT_SENT, reason=DRILL_NOT_SENT_REASON)
        await enqueue_alert_updated(conn, event)
    log.info("exercise alert not sent to any phone", alert_id=str(alert.id))
