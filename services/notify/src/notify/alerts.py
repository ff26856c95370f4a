"""Use case: record an alert once per assignment, failing it at once if its phone is bad."""

from __future__ import annotations

import uuid

import asyncpg
import structlog
from qorgau_contracts import IncidentAssigned

from . import repository as repo
from .metrics import ALERTS
from .phones import phone_problem
from .sms import AlertText, render_alert

log = structlog.get_logger(__name__)


async def record_alert(pool: asyncpg.Pool, event: IncidentAssigned) -> uuid.UUID | None:
    """The alert's id if it may be sent; None if the officer's phone cannot get an SMS."""
    problem = phone_problem(event.officer_phone)
    async with pool.acquire() as conn, conn.transaction():
        alert_id, created = await repo.record_alert(conn, event, problem)
        if problem is None:
            return alert_id
        if created:
            alert = await repo.get_alert(conn, alert_id)
            assert alert is not None
            await repo.publish_update(conn, alert, "failed", reason=problem)
    if created:
        ALERTS.labels("failed").inc()
        log.warning("alert failed", reason=problem, alert_id=str(alert_id))
    return None


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
