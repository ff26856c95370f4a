"""Use case: an officer's reply (`1`, `2`, `1 K7Q2`) becomes an acknowledgement or a decline.

The reply applies to that phone's alert with the code, or to its most recent open alert;
the officer gets a confirmation (or a helpful answer) in their language. A reply's text is
never logged, and a reply from a number we never alerted changes nothing and gets no answer.
"""

from __future__ import annotations

from typing import Literal

import asyncpg
import structlog

from notify.db.alerts import find_open_for_reply, latest_for_phone, set_status
from notify.db.outbox import enqueue_alert_updated
from notify.domain.alert import alert_updated
from notify.domain.replies import parse_reply, reply_outcome
from notify.domain.sms import ReplyAnswer, render_answer
from notify.metrics import ALERTS, INBOUND
from notify.providers.routes import Routes

log = structlog.get_logger(__name__)

ReplyOutcome = ReplyAnswer | Literal["stranger"]


async def answer_reply(
    pool: asyncpg.Pool, routes: Routes | None, phone: str, text: str
) -> ReplyOutcome:
    """Apply an officer's reply and answer them (through `routes`, if given)."""
    reply = parse_reply(text)
    async with pool.acquire() as conn, conn.transaction():
        known = await latest_for_phone(conn, phone)
        if known is None:
            INBOUND.labels("sms", "reply_stranger").inc()
            log.info("reply from a number with no alert ignored")
            return "stranger"
        alert = await find_open_for_reply(conn, phone, reply.short_code) if reply else None
        if reply is not None and alert is not None:
            await set_status(conn, alert.id, reply.answer, None)
            await enqueue_alert_updated(conn, alert_updated(alert, reply.answer))
    outcome = reply_outcome(reply, matched=alert is not None)
    if reply is not None and alert is not None:
        ALERTS.labels(reply.answer).inc()
        log.info("alert answered", alert_id=str(alert.id), answer=reply.answer)
    INBOUND.labels("sms", f"reply_{outcome}").inc()
    if routes is not None:
        target = alert or known
        code = alert.short_code if alert else (reply.short_code if reply else "") or ""
        notice = render_answer(outcome, target.language, code)
        await routes.send_notice(phone, notice, target.exercise)
    return outcome
