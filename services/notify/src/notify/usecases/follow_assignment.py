"""Use case: routing's word on an assignment (`assignment.updated.v1`) reaches the alert.

The alert takes replies only while routing keeps the assignment open (or accepted, for `3`).
When the update answers a reply, the officer gets the confirmation of what routing did;
when it lists facts learnt later, the officer of a live case gets a short update SMS.
"""

from __future__ import annotations

import asyncpg
import structlog
from qorgau_common.inbox import claim_event
from qorgau_common.unit_of_work import unit_of_work
from qorgau_contracts import ASSIGNMENT_UPDATED, AssignmentUpdated

from notify.db import SCHEMA
from notify.db.alerts import apply_routing_state
from notify.domain.reply_match import is_case
from notify.domain.reply_texts import render_update, render_verdict
from notify.providers.routes import Routes

from .send_window import Start, notice_after_commit

log = structlog.get_logger(__name__)


async def follow_assignment(
    pool: asyncpg.Pool,
    routes: Routes | None,
    event: AssignmentUpdated,
    *,
    start: Start | None = None,
) -> list[str]:
    """Record routing's word; the texts sent to the officer (a confirmation, an update).

    They go once routing's word committed, through `start` if given (the send window,
    which returns once they are on their way), else awaited."""
    texts: list[str] = []
    async with unit_of_work(pool) as conn:
        if not await claim_event(conn, SCHEMA, event, ASSIGNMENT_UPDATED.name):
            return texts
        word = await apply_routing_state(conn, event.assignment_id, event)
        if word is None:
            log.info("update for an assignment notify never alerted ignored")
            return texts
    alert, reply = word.alert, word.reply
    if reply is not None and event.reply_verdict is not None:
        texts.append(
            render_verdict(
                event.reply_verdict,
                reply.answer,
                alert.language,
                event.short_code,
                event.district,
                event.address_line,
                reply.outcome,
            )
        )
    if event.changed and event.state in ("open", "acknowledged") and is_case(alert):
        update = render_update(
            event.changed,
            alert.language,
            event.short_code,
            priority=event.priority,
            risk_level=event.risk_level,
            district=event.district,
            address_line=event.address_line,
            ack_deadline=event.ack_deadline,
        )
        if update is not None:
            texts.append(update)
    if routes is not None and texts:
        phone, exercise, notices = alert.phone, alert.exercise, routes

        async def tell() -> None:
            for text in texts:
                await notices.send_notice(phone, text, exercise)

        await notice_after_commit(tell, start)
    if texts:
        log.info("officer told", state=event.state, messages=len(texts))
    return texts
