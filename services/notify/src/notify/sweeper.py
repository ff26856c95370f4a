"""Reconciliation loops: retry pending alerts, fail over alerts without a receipt."""

from __future__ import annotations

import asyncio

import asyncpg
import structlog
from prometheus_client import Gauge

from . import repository as repo
from .sending import Sender

log = structlog.get_logger(__name__)

IN_DOUBT = Gauge(
    "qorgau_notify_alerts_in_doubt",
    "Alerts whose submit may have gone out before a crash (not resent automatically)",
)


async def fail_in_doubt(pool: asyncpg.Pool, older_than_s: float) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for alert in await repo.fail_in_doubt(conn, older_than_s):
            await repo.publish_update(conn, alert, "failed", reason=repo.IN_DOUBT_REASON)
            log.error("alert in doubt failed", alert_id=str(alert.id))


async def sweep_once(
    pool: asyncpg.Pool,
    sender: Sender,
    *,
    pending_after_s: float,
    receipt_timeout_s: float,
    in_doubt_after_s: float = 60.0,
) -> None:
    await repo.release_stale_claims(pool, older_than_s=max(10.0, pending_after_s * 4))
    for alert_id in await repo.pending_alert_ids(pool, older_than_s=pending_after_s):
        await sender.dispatch(alert_id)
    for alert_id in await repo.take_overdue_receipts(pool, older_than_s=receipt_timeout_s):
        await sender.resend_without_receipt(alert_id)
    IN_DOUBT.set(await repo.alerts_in_doubt(pool))
    await fail_in_doubt(pool, in_doubt_after_s)


async def sweep_forever(
    pool: asyncpg.Pool,
    sender: Sender,
    *,
    every_s: float,
    receipt_timeout_s: float,
    in_doubt_after_s: float,
) -> None:
    while True:
        await asyncio.sleep(min(every_s, receipt_timeout_s))
        try:
            await sweep_once(
                pool,
                sender,
                pending_after_s=every_s,
                receipt_timeout_s=receipt_timeout_s,
                in_doubt_after_s=in_doubt_after_s,
            )
        except Exception as exc:  # keep sweeping; the next round retries
            log.warning("alert sweep failed", error=type(exc).__name__)
