"""Use case: one round of reconciliation. Retry pending alerts (releasing claims that never
reached the wire), fail over alerts whose receipt is overdue, and fail alerts in doubt."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import structlog

from notify.db import claims, early_receipts
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import IN_DOUBT_REASON, alert_updated
from notify.metrics import IN_DOUBT

from .send_alert import resend_without_receipt
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
    for alert_id in await claims.take_overdue_receipts(pool, receipt_timeout_s, now):
        await resend_without_receipt(window.sending, alert_id, now=now)
    await early_receipts.purge(pool)
    IN_DOUBT.set(await claims.count_in_doubt(pool))
    await fail_in_doubt(pool, in_doubt_after_s, now)


async def fail_in_doubt(
    pool: asyncpg.Pool, older_than_s: float, now: datetime | None = None
) -> None:
    """Fail alerts whose submit was cut by a crash: never resent, so routing escalates."""
    async with pool.acquire() as conn, conn.transaction():
        for alert in await claims.fail_in_doubt(conn, older_than_s, IN_DOUBT_REASON, now):
            await enqueue_alert_updated(
                conn, alert_updated(alert, "failed", reason=IN_DOUBT_REASON)
            )
            log.error("alert in doubt failed", alert_id=str(alert.id))
