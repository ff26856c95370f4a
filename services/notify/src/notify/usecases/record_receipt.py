"""Use case: a final delivery receipt marks its alert delivered (or failed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
import structlog
from qorgau_common.db import Connection
from qorgau_common.unit_of_work import deferred, unit_of_work
from qorgau_contracts import AlertStatus

from notify.db import early_receipts, inbound
from notify.db.alerts import (
    mark_by_message_id,
    sent_with_message_ids,
    set_receipt_statuses,
    set_status,
)
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import Alert, AlertState, alert_updated
from notify.domain.receipt import RECEIPT_CHANGES, Receipt, change_of, changes_of
from notify.metrics import ALERTS, INBOUND, RECEIPT_LATENCY

log = structlog.get_logger(__name__)


async def _told(conn: Connection, alert: Alert, status: AlertStatus, reason: str | None) -> None:
    await enqueue_alert_updated(conn, alert_updated(alert, status, reason=reason))
    ALERTS.labels(status).inc()


async def apply_receipt(conn: Connection, alert: Alert, receipt: Receipt) -> bool:
    """A final receipt's effect on its submitted alert, in the caller's transaction; False
    if it changed nothing (another part's receipt said so already, or the officer answered)."""
    status, reason = change_of(receipt)
    if not await set_status(conn, alert.id, status, reason, only_from=RECEIPT_CHANGES[status]):
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


@dataclass(frozen=True)
class _Final:
    """A final receipt to mark, as it came."""

    provider: str
    receipt: Receipt
    now: datetime | None


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
    transaction (`keep_inbound` acts on a group in one): there the group's final receipts
    are marked together before its commit (`deferred`: one read and one write for them all),
    and True says only that this one was taken."""
    if not receipt.final:
        INBOUND.labels(provider, "receipt_interim").inc()
        if inbound_id is not None:
            async with unit_of_work(pool) as conn:
                await inbound.take(conn, inbound_id)
        return False
    async with unit_of_work(pool) as conn:
        if inbound_id is not None and not await inbound.take(conn, inbound_id):
            return False
        final = _Final(provider, receipt, now)
        group = deferred("notify.receipts", _marked_together)
        if group is not None:
            group.append(final)
            return True
        return await _mark_one(conn, final)


async def _mark_one(conn: Connection, final: _Final) -> bool:
    """One receipt found and marked in one statement; parked if it matched nothing yet."""
    status, reason = change_of(final.receipt)
    found = await mark_by_message_id(
        conn, final.provider, final.receipt.message_id, status, reason, RECEIPT_CHANGES[status]
    )
    if found is None:
        await _park(conn, [final])
        return False
    alert, changed = found
    if changed:
        await _told(conn, alert, status, reason)
    _matched(alert, final)
    return True


async def _marked_together(conn: Connection, finals: list[_Final]) -> None:
    """A group's final receipts: their alerts read and locked in one statement, each alert's
    receipts applied in turn (`changes_of`: the same changes and events as one by one), the
    new statuses written in one statement and the unmatched parked in one."""
    if len(finals) == 1:
        await _mark_one(conn, finals[0])
        return
    found = await sent_with_message_ids(conn, [(f.provider, f.receipt.message_id) for f in finals])
    theirs: dict[uuid.UUID, tuple[Alert, list[_Final]]] = {}
    unmatched: list[_Final] = []
    for final in finals:
        alert = found.get((final.provider, final.receipt.message_id))
        if alert is None:
            unmatched.append(final)
        else:
            theirs.setdefault(alert.id, (alert, []))[1].append(final)
    changed: dict[uuid.UUID, tuple[AlertState, str | None, bool]] = {}
    for alert, its in theirs.values():
        changes = changes_of(alert.status, [f.receipt for f in its])
        for status, reason in changes:
            await _told(conn, alert, status, reason)
        if changes:
            last, reason = changes[-1]
            changed[alert.id] = (last, reason, any(s == "delivered" for s, _ in changes))
    if changed:
        await set_receipt_statuses(conn, changed)
    if unmatched:
        await _park(conn, unmatched)
    for alert, its in theirs.values():
        for final in its:
            _matched(alert, final)


async def _park(conn: Connection, finals: list[_Final]) -> None:
    """Perhaps early: their submit's ids are not recorded yet. Applied when they are."""
    await early_receipts.park(conn, [(f.provider, f.receipt) for f in finals])
    for final in finals:
        INBOUND.labels(final.provider, "receipt_unmatched").inc()


def _matched(alert: Alert, final: _Final) -> None:
    if alert.submitted_at is not None:
        latency = (final.now or datetime.now(UTC)) - alert.submitted_at
        RECEIPT_LATENCY.labels(final.provider).observe(latency.total_seconds())
    log.info("delivery receipt", alert_id=str(alert.id), state=final.receipt.state)


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
