"""SQL for notify's schema: alerts, inbox and outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
from qorgau_common.db import Connection
from qorgau_common.inbox import claim_event
from qorgau_common.outbox import enqueue
from qorgau_contracts import (
    ALERT_UPDATED,
    INCIDENT_ASSIGNED,
    AlertStatus,
    AlertUpdated,
    IncidentAssigned,
)

SCHEMA = "notify"


@dataclass(frozen=True)
class Alert:
    id: uuid.UUID
    assignment_id: uuid.UUID
    incident_id: uuid.UUID
    correlation_id: uuid.UUID
    phone: str
    language: str
    short_code: str
    priority: str
    risk_level: str
    district: str | None
    address_line: str
    exercise: bool
    provider: str | None
    provider_message_ids: tuple[str, ...]


_ALERT_COLUMNS = (
    "id, assignment_id, incident_id, correlation_id, phone, language, short_code, priority,"
    " risk_level, district, address_line, exercise, provider, provider_message_ids"
)


def _alert(row: asyncpg.Record) -> Alert:
    values = dict(row)
    values["provider_message_ids"] = tuple(values["provider_message_ids"])
    return Alert(**values)


async def record_alert(conn: Connection, event: IncidentAssigned) -> uuid.UUID:
    """Inbox + alert row, once per assignment; the alert's id, new or existing."""
    await claim_event(conn, SCHEMA, event.event_id, INCIDENT_ASSIGNED.name)
    alert_id: uuid.UUID | None = await conn.fetchval(
        """
        INSERT INTO notify.alerts (id, assignment_id, incident_id, correlation_id, officer_id,
            phone, language, short_code, priority, risk_level, district, address_line, exercise)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (assignment_id) DO NOTHING RETURNING id
        """,
        uuid.uuid4(),
        event.assignment_id,
        event.incident_id,
        event.correlation_id,
        event.officer_id,
        event.officer_phone,
        event.officer_language,
        event.short_code,
        event.priority,
        event.risk_level,
        event.district,
        event.address_line,
        event.exercise,
    )
    if alert_id is None:
        alert_id = await conn.fetchval(
            "SELECT id FROM notify.alerts WHERE assignment_id = $1", event.assignment_id
        )
    assert alert_id is not None
    return alert_id


async def claim_for_sending(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> Alert | None:
    """pending → sending, atomically: only one sender ever gets a given alert."""
    row = await conn.fetchrow(
        f"UPDATE notify.alerts SET status = 'sending', claimed_at = now(), updated_at = now()"
        f" WHERE id = $1 AND status = 'pending' RETURNING {_ALERT_COLUMNS}",
        alert_id,
    )
    return _alert(row) if row else None


async def pending_alert_ids(
    conn: Connection | asyncpg.Pool, older_than_s: float
) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT id FROM notify.alerts WHERE status = 'pending'"
        " AND created_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 100",
        older_than_s,
    )
    return [r["id"] for r in rows]


async def mark_submitted(
    conn: Connection, alert: Alert, provider: str, message_ids: tuple[str, ...], segments: int
) -> None:
    await conn.execute(
        "UPDATE notify.alerts SET status = 'submitted', provider = $2, provider_message_ids = $3,"
        " segments = $4, submitted_at = now(), updated_at = now() WHERE id = $1",
        alert.id,
        provider,
        list(message_ids),
        segments,
    )


async def mark_pending(conn: Connection, alert_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE notify.alerts SET status = 'pending', reason = $2, updated_at = now()"
        " WHERE id = $1",
        alert_id,
        reason,
    )


_STATUS_TIMESTAMP = {
    "delivered": "delivered_at",
    "acknowledged": "answered_at",
    "declined": "answered_at",
}


async def set_status(
    conn: Connection, alert_id: uuid.UUID, status: str, reason: str | None
) -> None:
    stamp = _STATUS_TIMESTAMP.get(status)
    stamped = f", {stamp} = now()" if stamp else ""
    await conn.execute(
        f"UPDATE notify.alerts SET status = $2, reason = $3, updated_at = now(){stamped}"
        " WHERE id = $1",
        alert_id,
        status,
        reason,
    )


async def find_by_message_id(conn: Connection, message_id: str) -> Alert | None:
    row = await conn.fetchrow(
        f"SELECT {_ALERT_COLUMNS} FROM notify.alerts WHERE provider_message_ids @> ARRAY[$1]"
        " AND status = 'submitted' FOR UPDATE",
        message_id,
    )
    return _alert(row) if row else None


async def find_open_for_reply(conn: Connection, phone: str, short_code: str | None) -> Alert | None:
    """The phone's alert with that code, or its most recent open alert."""
    row = await conn.fetchrow(
        f"SELECT {_ALERT_COLUMNS} FROM notify.alerts"
        " WHERE phone = $1 AND status IN ('submitted', 'delivered')"
        " AND ($2::text IS NULL OR short_code = $2)"
        " ORDER BY submitted_at DESC LIMIT 1 FOR UPDATE",
        phone,
        short_code,
    )
    return _alert(row) if row else None


async def publish_update(
    conn: Connection,
    alert: Alert,
    status: AlertStatus,
    *,
    reason: str | None = None,
    provider: str | None = None,
    message_ids: tuple[str, ...] = (),
) -> None:
    event = AlertUpdated(
        producer=SCHEMA,
        correlation_id=alert.correlation_id,
        exercise=alert.exercise,
        alert_id=alert.id,
        assignment_id=alert.assignment_id,
        incident_id=alert.incident_id,
        status=status,
        provider=provider or alert.provider,
        provider_message_ids=message_ids or alert.provider_message_ids,
        reason=reason,
    )
    await enqueue(conn, SCHEMA, ALERT_UPDATED.name, str(alert.incident_id), event)
