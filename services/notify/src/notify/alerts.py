"""Use cases: record an alert, send it exactly once, apply receipts and replies."""

from __future__ import annotations

import uuid

import asyncpg
import structlog
from qorgau_common.consumer import INFRASTRUCTURE_ERRORS
from qorgau_contracts import AlertStatus, IncidentAssigned
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from . import repository as repo
from .provider import Rejected, SmsProvider, Submitted
from .replies import parse_reply
from .sms import AlertText, render_alert, segment_count

log = structlog.get_logger(__name__)


async def record_alert(pool: asyncpg.Pool, event: IncidentAssigned) -> uuid.UUID:
    async with pool.acquire() as conn, conn.transaction():
        return await repo.record_alert(conn, event)


def alert_text(alert: repo.Alert) -> str:
    return render_alert(
        AlertText(
            short_code=alert.short_code,
            priority=alert.priority,  # type: ignore[arg-type]
            risk_level=alert.risk_level,  # type: ignore[arg-type]
            district=alert.district,
            address_line=alert.address_line,
            language=alert.language,  # type: ignore[arg-type]
            exercise=alert.exercise,
        )
    )


async def send_alert(pool: asyncpg.Pool, provider: SmsProvider, alert_id: uuid.UUID) -> None:
    """Send one pending alert. The claim makes a second sender a no-op.

    The one window SMPP cannot close: a crash after the submit and before its response
    is recorded leaves the alert in `sending`; it is not resent automatically.
    """
    alert = await repo.claim_for_sending(pool, alert_id)
    if alert is None:
        return
    text = alert_text(alert)
    try:
        result = await provider.send(alert.phone, text)
    except Exception as exc:  # a provider bug must not strand the alert in `sending`
        result = Rejected(f"provider error: {type(exc).__name__}", retryable=True)
    # The SMS may be out: record the outcome through database blips rather than give up.
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(INFRASTRUCTURE_ERRORS),
        wait=wait_exponential(multiplier=0.2, max=5),
        stop=stop_after_delay(300),
        reraise=True,
    ):
        with attempt:
            await _record_outcome(pool, provider.name, alert, text, result)


async def _record_outcome(
    pool: asyncpg.Pool, provider: str, alert: repo.Alert, text: str, result: Submitted | Rejected
) -> None:
    async with pool.acquire() as conn, conn.transaction():
        if isinstance(result, Rejected):
            if result.retryable:
                await repo.mark_pending(conn, alert.id, result.reason)
                log.warning("alert send failed; will retry", reason=result.reason)
                return
            await repo.set_status(conn, alert.id, "failed", result.reason)
            await repo.publish_update(
                conn, alert, "failed", reason=result.reason, provider=provider
            )
            log.error("alert failed", reason=result.reason)
            return
        segments = segment_count(text)
        await repo.mark_submitted(conn, alert, provider, result.message_ids, segments)
        await repo.publish_update(
            conn, alert, "submitted", provider=provider, message_ids=result.message_ids
        )
    log.info("alert submitted", provider=provider, segments=segments, alert_id=str(alert.id))


async def on_receipt(pool: asyncpg.Pool, message_id: str, delivered: bool, state: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        alert = await repo.find_by_message_id(conn, message_id)
        if alert is None:
            return
        status: AlertStatus = "delivered" if delivered else "failed"
        reason = None if delivered else f"delivery receipt: {state}"
        await repo.set_status(conn, alert.id, status, reason)
        await repo.publish_update(conn, alert, status, reason=reason)
    log.info("delivery receipt", alert_id=str(alert.id), state=state)


async def on_reply(pool: asyncpg.Pool, phone: str, text: str) -> bool:
    """Apply an inspector's reply; False if it matched nothing (its text is never logged)."""
    reply = parse_reply(text)
    if reply is None:
        log.info("unrecognised SMS reply ignored")
        return False
    async with pool.acquire() as conn, conn.transaction():
        alert = await repo.find_open_for_reply(conn, phone, reply.short_code)
        if alert is None:
            log.info("reply matches no open alert")
            return False
        await repo.set_status(conn, alert.id, reply.answer, None)
        await repo.publish_update(conn, alert, reply.answer)
    log.info("alert answered", alert_id=str(alert.id), answer=reply.answer)
    return True
