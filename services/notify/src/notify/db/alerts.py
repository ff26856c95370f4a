"""The alert rows: recorded once per assignment, found by message id or phone, their status."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from qorgau_common.db import Connection
from qorgau_contracts import AssignmentUpdated, IncidentAssigned

from notify.domain.alert import Alert, AlertState
from notify.domain.reply_match import Needed

from .replies import ReplyAnswered

ALERT_COLUMNS = (
    "id, assignment_id, incident_id, correlation_id, phone, language, short_code, priority,"
    " risk_level, district, address_line, exercise, status, provider, provider_message_ids,"
    " assigned_at, created_at, submitted_at, claim_token, purpose, ack_deadline, routing_state,"
    " officer_id"
)

Db = Connection | asyncpg.Pool
EVERY = Needed(every=True)


def alert_from_row(row: asyncpg.Record | Mapping[str, Any]) -> Alert:
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
            assigned_at, status, reason, purpose, ack_deadline)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
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
        event.purpose,
        event.ack_deadline,
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


async def alert_reason(conn: Db, alert_id: uuid.UUID) -> str | None:
    reason: str | None = await conn.fetchval(
        "SELECT reason FROM notify.alerts WHERE id = $1", alert_id
    )
    return reason


_SENT = "status NOT IN ('pending', 'sending')"  # from `submitted` on: given its message ids


def sent_with_message_id(provider: str, message_id: str, alias: str = "") -> str:
    """The SQL condition "the sent alert that `provider` gave `message_id` to" (both SQL
    expressions). Any status from `submitted` on: the receipt of an SMS's second part finds
    the alert its first part's receipt already marked, instead of waiting as early for ever."""
    a = f"{alias}." if alias else ""
    return (
        f"{a}provider_message_ids @> ARRAY[{message_id}] AND {a}provider = {provider}"
        f" AND {a}{_SENT}"
    )


async def sent_with_message_ids(
    conn: Connection, wanted: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Alert]:
    """The sent alerts (`sent_with_message_id`) that the (provider, message id) pairs belong
    to, locked in the order of their ids: each found pair's alert. One statement, one search
    of the message-id index for all the ids (`&&`; a join would test each id on every row)."""
    rows = await conn.fetch(
        f"SELECT {ALERT_COLUMNS} FROM notify.alerts"
        f" WHERE provider_message_ids && $1::text[] AND {_SENT} ORDER BY id FOR UPDATE",
        sorted({message_id for _, message_id in wanted}),
    )
    sent: dict[tuple[str, str], Alert] = {}
    for row in rows:
        alert = alert_from_row(row)
        for message_id in alert.provider_message_ids:
            sent[(alert.provider or "", message_id)] = alert
    return {pair: sent[pair] for pair in wanted if pair in sent}


async def set_receipt_statuses(
    conn: Connection, changed: Mapping[uuid.UUID, tuple[AlertState, str | None, bool]]
) -> None:
    """Each alert's status and reason after its receipts, and whether one of them delivered
    it (its `delivered_at`), in one statement."""
    ids = list(changed)
    await conn.execute(
        "UPDATE notify.alerts AS a SET status = c.status, reason = c.reason,"
        " updated_at = now(),"
        " delivered_at = CASE WHEN c.delivered THEN now() ELSE a.delivered_at END"
        " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[])"
        " AS c(id, status, reason, delivered) WHERE a.id = c.id",
        ids,
        [changed[i][0] for i in ids],
        [changed[i][1] for i in ids],
        [changed[i][2] for i in ids],
    )


async def mark_by_message_id(
    conn: Connection,
    provider: str,
    message_id: str,
    status: AlertState,
    reason: str | None,
    only_from: tuple[AlertState, ...],
) -> tuple[Alert, bool] | None:
    """A receipt's alert found and marked in one statement: the sent alert that `provider`
    gave `message_id` to, as it was before (locked), and whether it was still `only_from`
    and so took `status`; None if there is no such alert (`sent_with_message_id`). The row
    is locked as it is found, so the change applies to its latest version."""
    stamp = _STATUS_TIMESTAMP.get(status)
    stamped = f", {stamp} = now()" if stamp else ""
    row = await conn.fetchrow(
        f"WITH found AS (SELECT {ALERT_COLUMNS} FROM notify.alerts"
        f" WHERE {sent_with_message_id('$1', '$2')} FOR UPDATE),"
        " changed AS (UPDATE notify.alerts AS a"
        f" SET status = $3, reason = $4, updated_at = now(){stamped}"
        " FROM found WHERE a.id = found.id AND found.status = ANY($5::text[]) RETURNING a.id)"
        " SELECT found.*, EXISTS (SELECT 1 FROM changed) AS changed FROM found",
        provider,
        message_id,
        status,
        reason,
        list(only_from),
    )
    if row is None:
        return None
    values = dict(row)
    changed = bool(values.pop("changed"))
    return alert_from_row(values), changed


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
    claim_token: uuid.UUID | None,
    provider: str,
    message_ids: tuple[str, ...],
    segments: int,
) -> Alert | None:
    """sending → submitted, if the claim `claim_token` still holds: the submitted alert, or
    None if the claim does not hold (this record was committed already, or the sweep failed
    the alert in doubt)."""
    row = await conn.fetchrow(
        "UPDATE notify.alerts SET status = 'submitted', provider = $2, provider_message_ids = $3,"
        " segments = $4, submitted_at = now(), updated_at = now(), reason = NULL,"
        " receipt_checked_at = NULL, intent_at = NULL"
        " WHERE id = $1 AND status = 'sending' AND claim_token IS NOT DISTINCT FROM $5"
        f" RETURNING {ALERT_COLUMNS}",
        alert_id,
        provider,
        list(message_ids),
        segments,
        claim_token,
    )
    return alert_from_row(row) if row else None


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
    only_from: AlertState | tuple[AlertState, ...] | None = None,
) -> bool:
    """The alert's new status and reason (if it is still `only_from`, when given); False if
    it was not changed."""
    stamp = _STATUS_TIMESTAMP.get(status)
    stamped = f", {stamp} = now()" if stamp else ""
    from_states = (only_from,) if isinstance(only_from, str) else only_from
    done = await conn.execute(
        f"UPDATE notify.alerts SET status = $2, reason = $3, updated_at = now(){stamped}"
        " WHERE id = $1 AND ($4::text[] IS NULL OR status = ANY($4::text[]))",
        alert_id,
        status,
        reason,
        None if from_states is None else list(from_states),
    )
    return str(done) != "UPDATE 0"


# The advisory-lock namespace of replies (the two-key form, apart from the one-key locks
# of the relay and routing's roster).
_REPLY_LOCKS = 7102


async def alerts_for_phone(
    conn: Connection, phone: str, needed: Needed = EVERY, limit: int = 50
) -> list[Alert]:
    """The phone's recent alerts (its `limit` latest), newest first, those of them that
    `needed` keeps (`reply_match.narrowed`): a reply that quotes a code reads the newest and
    those with its code, not all of them. One reply at a time: the phone is locked for the
    caller's transaction (an advisory lock, not the rows themselves, so a reply never
    waits for the receipts, sends and batches that hold some of those rows, nor they for
    it), then its alerts are read as committed once it holds the lock."""
    await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _REPLY_LOCKS, phone)
    rows = await conn.fetch(
        f"SELECT {ALERT_COLUMNS} FROM ("
        f" SELECT {ALERT_COLUMNS}, row_number() OVER (ORDER BY created_at DESC) AS n"
        "  FROM notify.alerts WHERE phone = $1 ORDER BY created_at DESC LIMIT $2"
        ") AS recent WHERE $3 OR n = 1 OR short_code = $4 ORDER BY n",
        phone,
        limit,
        needed.every,
        needed.code,
    )
    return [alert_from_row(r) for r in rows]


@dataclass(frozen=True)
class RoutingWord:
    """The alert as routing's update left it, and the reply that update answered."""

    alert: Alert
    reply: ReplyAnswered | None  # None: no reply named, not ours, or answered already


async def apply_routing_state(
    conn: Connection, assignment_id: uuid.UUID, event: AssignmentUpdated
) -> RoutingWord | None:
    """What routing now says of the alert's assignment, and the case's facts: the alert as it
    is now (locked), or None if notify never alerted that assignment. With routing's verdict on
    the reply the update names, recorded in the same statement (unless notify has no such
    reply, or it was answered already: a redelivered answer confirms nothing twice).

    An accepted or closed assignment is not resent for a missing receipt: its answer is in."""
    row = await conn.fetchrow(
        "WITH alert AS (UPDATE notify.alerts SET routing_state = $2, priority = $3,"
        " risk_level = $4, address_line = $5, district = coalesce($6, district),"
        " ack_deadline = coalesce($7, ack_deadline), updated_at = now(),"
        " status = CASE WHEN $2 IN ('acknowledged', 'declined')"
        "   AND status IN ('submitted', 'delivered') THEN $2 ELSE status END,"
        " answered_at = CASE WHEN $2 IN ('acknowledged', 'declined')"
        "   THEN coalesce(answered_at, now()) ELSE answered_at END,"
        " receipt_checked_at = CASE WHEN $2 <> 'open'"
        "   THEN coalesce(receipt_checked_at, now()) ELSE receipt_checked_at END"
        f" WHERE assignment_id = $1 RETURNING {ALERT_COLUMNS}),"
        " reply AS (UPDATE notify.replies SET verdict = $9, answered_at = now()"
        "   WHERE id = $8 AND $9::text IS NOT NULL AND answered_at IS NULL"
        "   AND EXISTS (SELECT 1 FROM alert) RETURNING answer, outcome)"
        " SELECT alert.*, reply.answer AS reply_answer, reply.outcome AS reply_outcome"
        " FROM alert LEFT JOIN reply ON true",
        assignment_id,
        event.state,
        event.priority,
        event.risk_level,
        event.address_line,
        event.district,
        event.ack_deadline,
        event.reply_id,
        event.reply_verdict,
    )
    if row is None:
        return None
    values = dict(row)
    answer, outcome = values.pop("reply_answer"), values.pop("reply_outcome")
    reply = ReplyAnswered(answer, outcome) if answer is not None else None
    return RoutingWord(alert_from_row(values), reply)
