"""Who may send an alert (the claim), and what the sweeper looks for: pending alerts, stale
claims, receipts overdue, sends in doubt. Each `now` defaults to the database's clock."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from qorgau_common.db import Connection

from notify.domain.alert import Alert

from .alerts import ALERT_COLUMNS, Db, alert_from_row

_NOW = "coalesce($1::timestamptz, now())"  # every query below takes `now` as $1


async def claim_pending(conn: Db, alert_id: uuid.UUID, owner: uuid.UUID) -> Alert | None:
    """pending → sending, atomically: only one sender ever gets a given alert. `owner` is
    the notify process that holds the claim (see `fail_in_doubt`)."""
    return await _claim(conn, alert_id, "pending", owner)


async def claim_submitted(conn: Db, alert_id: uuid.UUID, owner: uuid.UUID) -> Alert | None:
    """submitted → sending, atomically, to resend through another provider."""
    return await _claim(conn, alert_id, "submitted", owner)


async def _claim(conn: Db, alert_id: uuid.UUID, status: str, owner: uuid.UUID) -> Alert | None:
    row = await conn.fetchrow(
        f"UPDATE notify.alerts SET status = 'sending', claimed_at = now(), updated_at = now(),"
        f" claim_token = $2, intent_at = NULL, claimed_by = $4"
        f" WHERE id = $1 AND status = $3 RETURNING {ALERT_COLUMNS}",
        alert_id,
        uuid.uuid4(),
        status,
        owner,
    )
    return alert_from_row(row) if row else None


async def pending_alert_ids(
    conn: Db, older_than_s: float, now: datetime | None = None
) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT id FROM notify.alerts WHERE status = 'pending'"
        f" AND updated_at < {_NOW} - make_interval(secs => $2) ORDER BY created_at LIMIT 100",
        now,
        older_than_s,
    )
    return [r["id"] for r in rows]


async def release_stale_claims(conn: Db, older_than_s: float, now: datetime | None = None) -> int:
    """sending → pending for claims with no intent on record (a crash before the submit,
    or a send still queued for the window): nothing went out, so sending again is safe.
    A sender that still holds such a claim finds it gone when it records its intent."""
    result: str = await conn.execute(
        "UPDATE notify.alerts SET status = 'pending', claim_token = NULL,"
        f" updated_at = {_NOW} - interval '1 hour'"
        " WHERE status = 'sending' AND submitted_at IS NULL AND intent_at IS NULL"
        f" AND claimed_at < {_NOW} - make_interval(secs => $2)",
        now,
        older_than_s,
    )
    return int(result.split()[-1])


async def take_overdue_receipts(
    conn: Db, older_than_s: float, now: datetime | None = None
) -> list[uuid.UUID]:
    """Submitted alerts with no receipt after `older_than_s`; each is returned once."""
    rows = await conn.fetch(
        "UPDATE notify.alerts SET receipt_checked_at = now() WHERE id IN ("
        " SELECT id FROM notify.alerts WHERE status = 'submitted' AND receipt_checked_at IS NULL"
        f" AND submitted_at < {_NOW} - make_interval(secs => $2)"
        " ORDER BY submitted_at LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING id",
        now,
        older_than_s,
    )
    return [r["id"] for r in rows]


async def count_in_doubt(conn: Db) -> int:
    """Alerts whose submit may or may not have gone out (a crash inside the window)."""
    count: int = await conn.fetchval(
        "SELECT count(*) FROM notify.alerts WHERE status = 'sending' AND intent_at IS NOT NULL"
    )
    return count


async def fail_in_doubt(
    conn: Connection,
    older_than_s: float,
    reason: str,
    now: datetime | None = None,
    *,
    me: uuid.UUID,
    in_hand: Collection[uuid.UUID] = (),
) -> list[Alert]:
    """Alerts whose sender died between submit and response, failed so routing escalates.

    The submit is older than `older_than_s` and its sender is gone: not one of `in_hand`
    (alerts this process `me` is still sending, say retrying the record of a submit while
    the database was away), and owned by `me` (whose sender task ended), by no one
    recorded, or by a process that has not beaten for `older_than_s`. A process's silence
    counts from the database's own start, so a restarted database gives every process
    time to beat again before its claims are judged."""
    rows = await conn.fetch(
        "UPDATE notify.alerts a SET status = 'failed', updated_at = now(), reason = $3"
        f" WHERE a.status = 'sending' AND a.intent_at < {_NOW} - make_interval(secs => $2)"
        " AND NOT (a.id = ANY($5::uuid[]))"
        " AND (a.claimed_by IS NULL OR a.claimed_by = $4 OR NOT EXISTS ("
        "   SELECT 1 FROM notify.senders s WHERE s.instance_id = a.claimed_by"
        "   AND greatest(s.beat_at, pg_postmaster_start_time())"
        f"     >= {_NOW} - make_interval(secs => $2)))"
        f" RETURNING {ALERT_COLUMNS}",
        now,
        older_than_s,
        reason,
        me,
        list(in_hand),
    )
    return [alert_from_row(r) for r in rows]
