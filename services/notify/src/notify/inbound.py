"""Use cases: delivery receipts and inspectors' replies (mobile-originated SMS).

A reply's text is never logged, and a reply from a number we never alerted changes
nothing and gets no answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import asyncpg
import structlog
from qorgau_contracts import AlertStatus

from . import repository as repo
from .metrics import ALERTS, INBOUND, RECEIPT_LATENCY
from .pdu import Receipt
from .replies import parse_reply
from .sending import Sender
from .sms import ReplyAnswer, render_answer

log = structlog.get_logger(__name__)

ReplyOutcome = ReplyAnswer | Literal["stranger"]


async def on_receipt(pool: asyncpg.Pool, provider: str, receipt: Receipt) -> bool:
    """Apply a final receipt to its alert; False if it matched nothing or is not final."""
    if not receipt.final:
        INBOUND.labels(provider, "receipt_interim").inc()
        return False
    async with pool.acquire() as conn, conn.transaction():
        alert = await repo.find_by_message_id(conn, provider, receipt.message_id)
        if alert is None:
            INBOUND.labels(provider, "receipt_unmatched").inc()
            return False
        status: AlertStatus = "delivered" if receipt.delivered else "failed"
        reason = None if receipt.delivered else f"delivery receipt: {receipt.state}"
        await repo.set_status(conn, alert.id, status, reason)
        await repo.publish_update(conn, alert, status, reason=reason)
    ALERTS.labels(status).inc()
    if alert.submitted_at is not None:
        RECEIPT_LATENCY.labels(provider).observe(
            (datetime.now(UTC) - alert.submitted_at).total_seconds()
        )
    log.info("delivery receipt", alert_id=str(alert.id), state=receipt.state)
    return True


async def on_reply(
    pool: asyncpg.Pool, sender: Sender | None, phone: str, text: str
) -> ReplyOutcome:
    """Apply an inspector's reply and answer them; never logs the reply's text."""
    reply = parse_reply(text)
    async with pool.acquire() as conn, conn.transaction():
        known = await repo.latest_for_phone(conn, phone)
        if known is None:
            INBOUND.labels("sms", "reply_stranger").inc()
            log.info("reply from a number with no alert ignored")
            return "stranger"
        alert = await repo.find_open_for_reply(conn, phone, reply.short_code) if reply else None
        if reply is not None and alert is not None:
            await repo.set_status(conn, alert.id, reply.answer, None)
            await repo.publish_update(conn, alert, reply.answer)
    target = alert or known
    outcome: ReplyAnswer
    if reply is None:
        outcome = "not_understood"
    elif alert is None:
        outcome = "unknown_code" if reply.short_code else "no_open_alert"
    else:
        outcome = reply.answer
        ALERTS.labels(reply.answer).inc()
        log.info("alert answered", alert_id=str(alert.id), answer=reply.answer)
    INBOUND.labels("sms", f"reply_{outcome}").inc()
    if sender is not None:
        code = alert.short_code if alert else (reply.short_code if reply else "") or ""
        notice = render_answer(outcome, target.language, code)  # type: ignore[arg-type]
        await sender.send_text(phone, notice, target.exercise)
    return outcome
