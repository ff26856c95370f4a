"""Use case: one round of reconciliation. Retry pending alerts (releasing claims that never
reached the wire), fail over alerts whose receipt is overdue, apply receipts parked while their
submit's record was committing, and fail alerts in doubt."""

from __future__ import annotations

from datetime import datetime

import structlog

from notify.db import claims, early_receipts, senders
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import IN_DOUBT_REASON, alert_updated
from notify.metrics import IN_DOUBT

from .record_receipt import apply_stranded_receipts
from .send_alert import Sending, resend_without_receipt
from .send_window import SendWindow

log = structlog.get_logger(__name__)


async def sweep_once(
    window: SendWindow,
    *,
    pending_after_s: float,
    receipt_timeout_s: float,
    in_doubt_after_s: float = 60.0,
    now: datetime | None = None,
) -> None:
    """One round; `now` defaults to the database's clock."""
    pool = window.sending.pool
    await claims.release_stale_claims(pool, max(10.0, pending_after_s * 4), now)
    for alert_id in await claims.pending_alert_ids(pool, pending_after_s, now):
        await window.dispatch(alert_id, now=now)
    await apply_stranded_receipts(pool)  # before the overdue: an alert delivered is not resent
    for alert_id in await claims.take_overdue_receipts(pool, receipt_timeout_s, now):
        await resend_without_receipt(window.sending, alert_id, now=now)
    await early_receipts.purge(pool)
    IN_DOUBT.set(await claims.count_in_doubt(pool))
    await fail_in_doubt(window.sending, in_doubt_after_s, now)


async def fail_in_doubt(sending: Sending, older_than_s: float, now: datetime | None = None) -> None:
    """Fail alerts whose submit was cut by a crash: never resent, so routing escalates.

    Only alerts whose sender is gone: never one this process is still sending (say,
    retrying the record of its submit until the database is back), nor one held by another
    process that is still beating (`heartbeat`)."""
    in_hand = list(sending.in_hand)
    async with sending.pool.acquire() as conn, conn.transaction():
        cut = await claims.fail_in_doubt(
            conn, older_than_s, IN_DOUBT_REASON, now, me=sending.instance_id, in_hand=in_hand
        )
        for alert in cut:
            await enqueue_alert_updated(
                conn, alert_updated(alert, "failed", reason=IN_DOUBT_REASON)
            )
            log.error("alert in doubt failed", alert_id=str(alert.id))


async def heartbeat(sending: Sending, now: datetime | None = None) -> None:
    """This process is alive: the claims it holds are not in doubt (see `fail_in_doubt`)."""
    await senders.beat(sending.pool, sending.instance_id, now)
