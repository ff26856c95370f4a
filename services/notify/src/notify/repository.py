"""SQL for notify's schema: alerts, inbox and outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

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
    assigned_at: datetime | None = None
    created_at: datetime | None = None
    submitted_at: datetime | None = None
    claim_token: uuid.UUID | None = None


_ALERT_COLUMNS = (
    "id, assignment_id, incident_id, correlation_id, phone, language, short_code, priority,"
    " risk_level, district, address_line, exercise, provider, provider_message_ids,"
    " assigned_at, created_at, submitted_at, claim_token"
)


def _alert(row: asyncpg.Record) -> Alert:
    values = dict(row)
    values["provider_message_ids"] = tuple(values["provider_message_ids"])
    return Alert(**values)


async def record_alert(
    conn: Connection, event: IncidentAssigned, failed_reason: str | None = None
) -> tuple[uuid.UUID, bool]:
    """Inbox + alert row, once per assignment: (the alert's id, whether it is new).

    An alert whose phone cannot get an SMS is stored `failed` with the reason."""
    await claim_event(conn, SCHEMA, event, INCIDENT_ASSIGNED.name)
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


async def get_alert(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> Alert | None:
    row = await conn.fetchrow(f"SELECT {_ALERT_COLUMNS} FROM notify.alerts WHERE id = $1", alert_id)
    return _alert(row) if row else None


async def claim_for_sending(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> Alert | None:
    """pending → sending, atomically: only one sender ever gets a given alert."""
    row = await conn.fetchrow(
        f"UPDATE notify.alerts SET status = 'sending', claimed_at = now(), updated_at = now(),"
        f" claim_token = $2, intent_at = NULL"
        f" WHERE id = $1 AND status = 'pending' RETURNING {_ALERT_COLUMNS}",
        alert_id,
        uuid.uuid4(),
    )
    return _alert(row) if row else None


async def pending_alert_ids(
    conn: Connection | asyncpg.Pool, older_than_s: float
) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT id FROM notify.alerts WHERE status = 'pending'"
        " AND updated_at < now() - make_interval(secs => $1) ORDER BY created_at LIMIT 100",
        older_than_s,
    )
    return [r["id"] for r in rows]


async def release_stale_claims(conn: Connection | asyncpg.Pool, older_than_s: float) -> int:
    """sending → pending for claims with no intent on record (a crash before the submit,
    or a send still queued for the window): nothing went out, so sending again is safe.
    A sender that still holds such a claim finds it gone when it records its intent."""
    result: str = await conn.execute(
        "UPDATE notify.alerts SET status = 'pending', claim_token = NULL,"
        " updated_at = now() - interval '1 hour'"
        " WHERE status = 'sending' AND submitted_at IS NULL AND intent_at IS NULL"
        " AND claimed_at < now() - make_interval(secs => $1)",
        older_than_s,
    )
    return int(result.split()[-1])


async def mark_submitted(
    conn: Connection, alert: Alert, provider: str, message_ids: tuple[str, ...], segments: int
) -> None:
    await conn.execute(
        "UPDATE notify.alerts SET status = 'submitted', provider = $2, provider_message_ids = $3,"
        " segments = $4, submitted_at = now(), updated_at = now(), reason = NULL,"
        " receipt_checked_at = NULL, intent_at = NULL WHERE id = $1",
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


async def find_by_message_id(conn: Connection, provider: str, message_id: str) -> Alert | None:
    """The submitted alert that `provider` gave `message_id` to, locked."""
    row = await conn.fetchrow(
        f"SELECT {_ALERT_COLUMNS} FROM notify.alerts WHERE provider_message_ids @> ARRAY[$2]"
        " AND provider = $1 AND status = 'submitted' FOR UPDATE",
        provider,
        message_id,
    )
    return _alert(row) if row else None


async def latest_for_phone(conn: Connection, phone: str) -> Alert | None:
    """The phone's most recent alert in any state: is this number one we alerted?"""
    row = await conn.fetchrow(
        f"SELECT {_ALERT_COLUMNS} FROM notify.alerts WHERE phone = $1"
        " ORDER BY created_at DESC LIMIT 1",
        phone,
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


async def start_attempt(conn: Connection, alert: Alert, provider: str) -> int | None:
    """The intent to send, committed before the submit; None if the claim was lost."""
    async with conn.transaction():
        held = await conn.fetchval(
            "UPDATE notify.alerts SET intent_at = now() WHERE id = $1 AND status = 'sending'"
            " AND claim_token = $2 RETURNING id",
            alert.id,
            alert.claim_token,
        )
        if held is None:
            return None
        attempt_id: int = await conn.fetchval(
            "INSERT INTO notify.attempts (alert_id, provider) VALUES ($1, $2) RETURNING id",
            alert.id,
            provider,
        )
        return attempt_id


async def finish_attempt(
    conn: Connection,
    attempt_id: int,
    *,
    message_ids: tuple[str, ...] = (),
    reason: str | None = None,
) -> None:
    await conn.execute(
        "UPDATE notify.attempts SET status = $2, message_ids = $3, reason = $4,"
        " finished_at = now() WHERE id = $1",
        attempt_id,
        "rejected" if reason else "submitted",
        list(message_ids),
        reason,
    )
    if reason:  # nothing went out: the claim no longer holds an open intent
        await conn.execute(
            "UPDATE notify.alerts SET intent_at = NULL WHERE id ="
            " (SELECT alert_id FROM notify.attempts WHERE id = $1)",
            attempt_id,
        )


async def tried_providers(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT provider FROM notify.attempts WHERE alert_id = $1", alert_id
    )
    return [r["provider"] for r in rows]


async def take_overdue_receipts(
    conn: Connection | asyncpg.Pool, older_than_s: float
) -> list[uuid.UUID]:
    """Submitted alerts with no receipt after `older_than_s`; each is returned once."""
    rows = await conn.fetch(
        "UPDATE notify.alerts SET receipt_checked_at = now() WHERE id IN ("
        " SELECT id FROM notify.alerts WHERE status = 'submitted' AND receipt_checked_at IS NULL"
        " AND submitted_at < now() - make_interval(secs => $1)"
        " ORDER BY submitted_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING id",
        older_than_s,
    )
    return [r["id"] for r in rows]


async def claim_submitted(conn: Connection | asyncpg.Pool, alert_id: uuid.UUID) -> Alert | None:
    """submitted → sending, atomically, to resend through another provider."""
    row = await conn.fetchrow(
        f"UPDATE notify.alerts SET status = 'sending', claimed_at = now(), updated_at = now(),"
        f" claim_token = $2, intent_at = NULL"
        f" WHERE id = $1 AND status = 'submitted' RETURNING {_ALERT_COLUMNS}",
        alert_id,
        uuid.uuid4(),
    )
    return _alert(row) if row else None


async def restore_submitted(conn: Connection, alert_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE notify.alerts SET status = 'submitted', reason = $2, updated_at = now()"
        " WHERE id = $1 AND status = 'sending'",
        alert_id,
        reason,
    )


async def alerts_in_doubt(conn: Connection | asyncpg.Pool) -> int:
    """Alerts whose submit may or may not have gone out (a crash inside the window)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM notify.alerts WHERE status = 'sending' AND intent_at IS NOT NULL"
    )
    return count


async def fail_in_doubt(conn: Connection, older_than_s: float) -> list[Alert]:
    """Alerts whose sender died between submit and response, failed so routing escalates."""
    rows = await conn.fetch(
        f"UPDATE notify.alerts SET status = 'failed', updated_at = now(), reason = $2"
        f" WHERE status = 'sending' AND intent_at < now() - make_interval(secs => $1)"
        f" RETURNING {_ALERT_COLUMNS}",
        older_than_s,
        IN_DOUBT_REASON,
    )
    return [_alert(r) for r in rows]


IN_DOUBT_REASON = "in doubt: notify stopped between submit and its response; not resent"
