"""The alert rows: recorded once per assignment, found by message id or phone, their status."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from qorgau_common.db import Connection
from qorgau_contracts import IncidentAssigned

from notify.domain.alert import Alert, AlertState

ALERT_COLUMNS = (
    "id, assignment_id, incident_id, correlation_id, phone, language, short_code, priority,"
    " risk_level, district, address_line, exercise, status, provider, provider_message_ids,"
    " assigned_at, created_at, submitted_at, claim_token"
)

Db = Connection | asyncpg.Pool


def alert_from_row(row: asyncpg.Record) -> Alert:
    values: dict[str, Any] = dict(row)
    values["provider_message_ids"] = tuple(values["provider_message_ids"])
    return Alert(**values)


async def insert_alert(
    conn: Connection, event: IncidentAssigned, failed_reason: str | None = None
) -> tuple[uuid.UUID, bool]:
    """The alert row, once per assignment: (its id, whether it is new).

    An alert whose phone cannot get an SMS is stored `failed` with the reason."""
    alert_id: uuid.UUID | None = await conn.fetchval(
        """
        INSERT INTO notify.alerts (id, assignment_id, incident_id, correlation_id, officer_id,
            phone, language, short_code, priority, risk_level, district, address_line, exercise,
            assigned_at, status, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
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
        event.occurred_at,
        "failed" if failed_reason else "pending",
        failed_reason,
    )
    if alert_id is not None:
        return alert_id, True
    existing: uuid.UUID | None = await conn.fetchval(
        "SELECT id FROM notify.alerts WHERE assignment_id = $1", event.assignment_id
    )
    assert existing is not None
    return existing, False


async def get_alert(conn: Db, alert_id: uuid.UUID) -> Alert | None:
    row = await conn.fetchrow(f"SELECT {ALERT_COLUMNS} FROM notify.alerts WHERE id = $1", alert_id)
    return alert_from_row(row) if row else None


async def find_by_message_id(conn: Connection, provider: str, message_id: str) -> Alert | None:
    """The submitted alert that `provider` gave `message_id` to, locked."""
    row = await conn.fetchrow(
        f"SELECT {ALERT_COLUMNS} FROM notify.alerts WHERE provider_message_ids @> ARRAY[$2]"
        " AND provider = $1 AND status = 'submitted' FOR UPDATE",
        provider,
        message_id,
    )
    return alert_from_row(row) if row else None


async def latest_for_phone(conn: Connection, phone: str) -> Alert | None:
    """The phone's most recent alert in any state: is this number one we alerted?"""
    row = await conn.fetchrow(
        f"SELECT {ALERT_COLUMNS} FROM notify.alerts WHERE phone = $1"
        " ORDER BY created_at DESC LIMIT 1",
        phone,
    )
    return alert_from_row(row) if row else None


async def find_open_for_reply(conn: Connection, phone: str, short_code: str | None) -> Alert | None:
    """The phone's alert with that code, or its most recent open alert, locked."""
    row = await conn.fetchrow(
        f"SELECT {ALERT_COLUMNS} FROM notify.alerts"
        " WHERE phone = $1 AND status IN ('submitted', 'delivered')"
        " AND ($2::text IS NULL OR short_code = $2)"
        " ORDER BY submitted_at DESC LIMIT 1 FOR UPDATE",
        phone,
        short_code,
    )
    return alert_from_row(row) if row else None


async def mark_submitted(
    conn: Connection,
    alert_id: uuid.UUID,
    provider: str,
    message_ids: tuple[str, ...],
    segments: int,
) -> None:
    await conn.execute(
        "UPDATE notify.alerts SET status = 'submitted', provider = $2, provider_message_ids = $3,"
        " segments = $4, submitted_at = now(), updated_at = now(), reason = NULL,"
        " receipt_checked_at = NULL, intent_at = NULL WHERE id = $1",
        alert_id,
        provider,
        list(message_ids),
        segments,
    )


_STATUS_TIMESTAMP: dict[AlertState, str] = {
    "delivered": "delivered_at",
    "acknowledged": "answered_at",
    "declined": "answered_at",
}


async def set_status(
    conn: Connection,
    alert_id: uuid.UUID,
    status: AlertState,
    reason: str | None,
    *,
    only_from: AlertState | None = None,
) -> None:
    """The alert's new status and reason (if it is still `only_from`, when given)."""
    stamp = _STATUS_TIMESTAMP.get(status)
    stamped = f", {stamp} = now()" if stamp else ""
    await conn.execute(
        f"UPDATE notify.alerts SET status = $2, reason = $3, updated_at = now(){stamped}"
        " WHERE id = $1 AND ($4::text IS NULL OR status = $4)",
        alert_id,
        status,
        reason,
        only_from,
    )
