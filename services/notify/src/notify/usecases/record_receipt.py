"""Use case: a final delivery receipt marks its alert delivered (or failed)."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import AlertStatus

from notify.db import early_receipts, inbound
from notify.db.alerts import mark_by_message_id, set_status
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import Alert, AlertState, alert_updated
from notify.domain.receipt import Receipt
from notify.metrics import ALERTS, INBOUND, RECEIPT_LATENCY

log = structlog.get_logger(__name__)


# A two-part SMS gets a receipt per part. The first "delivered" marks the alert; a later part
# that failed still fails it (the officer may have read half of it); an officer's answer is
# never overwritten by a receipt. So routing and intake hear each change once, not per part.
_RECEIPT_CHANGES: dict[AlertStatus, tuple[AlertState, ...]] = {
    "delivered": ("submitted",),
    "failed": ("submitted", "delivered"),
}


def _change(receipt: Receipt) -> tuple[AlertStatus, str | None]:
    """The status a final receipt gives its alert, and the reason."""
    if receipt.delivered:
        return "delivered", None
    return "failed", f"delivery receipt: {receipt.state}"


async def _told(conn: Connection, alert: Alert, status: AlertStatus, reason: str | None) -> None:
    await enqueue_alert_updated(conn, alert_updated(alert, status, reason=reason))
    ALERTS.labels(status).inc()


async def apply_receipt(conn: Connection, alert: Alert, receipt: Receipt) -> bool:
    """A final receipt's effect on its submitted alert, in the caller's transaction; False
    if it changed nothing (another part's receipt said so already, or the officer answered)."""
    status, reason = _change(receipt)
    if not await set_status(conn, alert.id, status, reason, only_from=_RECEIPT_CHANGES[status]):
        return False
    await _told(conn, alert, status, reason)
    return True


async def apply_early_receipts(conn: Connection, alert: Alert, early: list[Receipt]) -> bool:
    """Just recorded as submitted: apply the first final receipt that came before it (taken
    from `notify.early_receipts` in the same statement)."""
    final = [r for r in early if r.final]
    if not final:
        return False
    await apply_receipt(conn, alert, final[0])
    log.info("early delivery receipt applied", alert_id=str(alert.id), state=final[0].state)
    return True


async def record_receipt(
    pool: asyncpg.Pool,
    provider: str,
    receipt: Receipt,
    *,
    now: datetime | None = None,
    inbound_id: int | None = None,
) -> bool:
    """Apply a final receipt to its alert; False if it matched nothing or is not final.

    With `inbound_id` (the receipt as kept in `notify.inbound`), the row goes in the same
    transaction as the effect, and a receipt already acted on does nothing. It joins a shared
    transaction (`keep_inbound` acts on a group in one)."""
    if not receipt.final:
        INBOUND.labels(provider, "receipt_interim").inc()
        if inbound_id is not None:
            async with unit_of_work(pool) as conn:
                await inbound.take(conn, inbound_id)
        return False
    async with unit_of_work(pool) as conn:
        if inbound_id is not None and not await inbound.take(conn, inbound_id):
            return False
        status, reason = _change(receipt)
        found = await mark_by_message_id(
            conn, provider, receipt.message_id, status, reason, _RECEIPT_CHANGES[status]
        )
        if found is None:
            # Perhaps early: its submit's ids are not recorded yet. Applied when they are.
            await early_receipts.park(conn, provider, receipt)
            INBOUND.labels(provider, "receipt_unmatched").inc()
            return False
        alert, changed = found
        if changed:
            await _told(conn, alert, status, reason)
    if alert.submitted_at is not None:
        latency = (now or datetime.now(UTC)) - alert.submitted_at
        RECEIPT_LATENCY.labels(provider).observe(latency.total_seconds())
    log.info("delivery receipt", alert_id=str(alert.id), state=receipt.state)
    return True


async def apply_stranded_receipts(pool: asyncpg.Pool) -> int:
    """The sweep's part: parked receipts whose submit is recorded after all, applied; how
    many. Without it such a receipt waited until the receipt timeout resent its alert."""
    async with unit_of_work(pool) as conn:
        stranded = await early_receipts.take_stranded(conn)
        for alert, receipt in stranded:
            await apply_receipt(conn, alert, receipt)
    for alert, receipt in stranded:
        INBOUND.labels(alert.provider or "unknown", "receipt_stranded").inc()
        log.warning(
            "parked receipt applied by the sweep", alert_id=str(alert.id), state=receipt.state
        )
    return len(stranded)
