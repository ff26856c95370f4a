"""Use case: an officer's SMS reply (`1`, `2 K7Q2`, `3 K7Q2 ЗП`, `?`) reaches routing, or is
answered at once when it applies to no case.

The reply is matched to one of the phone's alerts by `domain.reply_match` (never a guess);
a matched reply is stored and passed to routing as `reply.received.v1`, and the officer's
confirmation follows routing's answer (`follow_assignment`). Everything else (a question,
an unknown code, a case that moved on) is answered here in the officer's language. Reply
text is never logged, and a number we never alerted changes nothing and gets no answer.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Literal

import asyncpg
import structlog
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import ReplyReceived, ReplyVerdict

from notify.db import inbound
from notify.db.alerts import alerts_for_phone
from notify.db.outbox import enqueue_reply_received
from notify.db.replies import insert_reply
from notify.domain.alert import PRODUCER, Alert
from notify.domain.replies import HelpAsked, Reply, parse_reply
from notify.domain.reply_match import (
    AskForCode,
    Gone,
    Matched,
    NothingOpen,
    UnknownCode,
    match_reply,
    needed_for,
    reply_state,
)
from notify.domain.reply_texts import Notice, render_notice, render_verdict
from notify.metrics import INBOUND
from notify.providers.routes import Routes

from .send_window import Start, notice_after_commit

log = structlog.get_logger(__name__)

ReplyOutcome = Literal[
    "forwarded",
    "ask_for_code",
    "moved_on",
    "closed",
    "unknown_code",
    "nothing_open",
    "not_understood",
    "unknown_outcome",
    "help",
    "stranger",
]

# The longest ack deadline (standard priority): another case alerted within it makes a
# bare 1/2 ambiguous.
BARE_REPLY_WINDOW = timedelta(minutes=15)


async def answer_reply(
    pool: asyncpg.Pool,
    routes: Routes | None,
    phone: str,
    text: str,
    *,
    now: datetime | None = None,
    bare_window: timedelta = BARE_REPLY_WINDOW,
    inbound_id: int | None = None,
    start: Start | None = None,
) -> ReplyOutcome | None:
    """Pass an officer's reply on to routing, or answer it (through `routes`, if given).

    With `inbound_id` (the reply as kept in `notify.inbound`), the row goes in the same
    transaction as the effect; a reply already acted on does nothing and returns None.
    Inside a shared transaction (`keep_inbound`), the answer is sent once it committed,
    through `start` if given (the send window: the group goes on while it is on the wire)."""
    now = now or datetime.now(UTC)
    parsed = parse_reply(text)
    async with unit_of_work(pool) as conn:
        if inbound_id is not None and not await inbound.take(conn, inbound_id):
            return None
        alerts = await alerts_for_phone(conn, phone, needed_for(parsed))
        if not alerts:
            INBOUND.labels("sms", "reply_stranger").inc()
            log.info("reply from a number with no alert ignored")
            return "stranger"
        outcome, notice = _answer_without_routing(parsed, alerts, now, bare_window)
        if outcome == "forwarded":
            assert isinstance(parsed, Reply)
            (alert,) = [a for a in alerts if a.id == notice]
            reply_id = await insert_reply(conn, alert.id, parsed.answer, parsed.outcome, now)
            await enqueue_reply_received(conn, _reply_received(alert, parsed, reply_id))
    INBOUND.labels("sms", f"reply_{outcome}").inc()
    if outcome == "forwarded":
        log.info("reply passed to routing", alert_id=str(notice))
    elif routes is not None and isinstance(notice, str):
        send = functools.partial(routes.send_notice, phone, notice, alerts[0].exercise)
        await notice_after_commit(send, start)
    return outcome


def _answer_without_routing(
    parsed: HelpAsked | Reply | None, alerts: list[Alert], now: datetime, bare_window: timedelta
) -> tuple[ReplyOutcome, str | uuid.UUID]:
    """(`forwarded`, the matched alert id), or (what it was, the text to send back)."""
    language = alerts[0].language
    if parsed is None:
        return "not_understood", render_notice("not_understood", language)
    if isinstance(parsed, HelpAsked):
        return "help", render_notice("help", language)
    match = match_reply(parsed, alerts, now, bare_window)
    if isinstance(match, Matched):
        if parsed.needs_outcome:
            code = match.alert.short_code
            return "unknown_outcome", render_notice("unknown_outcome", match.alert.language, code)
        return "forwarded", match.alert.id
    if isinstance(match, AskForCode):
        asked: Notice = "ask_for_code_3" if parsed.answer == "resolve" else "ask_for_code"
        return "ask_for_code", render_notice(asked, language, codes=match.codes)
    if isinstance(match, Gone):
        alert = match.alert
        closed = alert.routing_state == "resolved"
        verdict: ReplyVerdict = "closed" if closed else "moved_on"
        if reply_state(alert) == "accepted":  # a decline of a case the officer accepted
            verdict = "already"
        text = render_verdict(
            verdict, parsed.answer, alert.language, alert.short_code, alert.district,
            alert.address_line,
        )  # fmt: skip
        return ("closed" if closed else "moved_on"), text
    if isinstance(match, UnknownCode):
        return "unknown_code", render_notice("unknown_code", language, match.code)
    assert isinstance(match, NothingOpen)
    return "nothing_open", render_notice("nothing_open", language)


def _reply_received(alert: Alert, reply: Reply, reply_id: uuid.UUID) -> ReplyReceived:
    return ReplyReceived(
        producer=PRODUCER,
        correlation_id=alert.correlation_id,
        exercise=alert.exercise,
        reply_id=reply_id,
        assignment_id=alert.assignment_id,
        incident_id=alert.incident_id,
        officer_id=alert.officer_id,
        answer=reply.answer,
        outcome=reply.outcome,
    )
