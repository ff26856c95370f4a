"""Send attempts: the intent committed before a submit, its outcome after it."""

from __future__ import annotations

import uuid

from qorgau_common.db import Connection

from .alerts import Db


async def start_attempt(
    conn: Connection, alert_id: uuid.UUID, claim_token: uuid.UUID | None, provider: str
) -> int | None:
    """The intent to send, committed before the submit; None if the claim was lost."""
    async with conn.transaction():
        held = await conn.fetchval(
            "UPDATE notify.alerts SET intent_at = now() WHERE id = $1 AND status = 'sending'"
            " AND claim_token = $2 RETURNING id",
            alert_id,
            claim_token,
        )
        if held is None:
            return None
        # A retry of this write whose first try committed unseen (the database went away
        # before answering) takes up that attempt rather than leaving it open forever.
        open_attempt: int | None = await conn.fetchval(
            "SELECT id FROM notify.attempts WHERE alert_id = $1 AND provider = $2"
            " AND status = 'submitting' ORDER BY id DESC LIMIT 1",
            alert_id,
            provider,
        )
        if open_attempt is not None:
            return open_attempt
        attempt_id: int = await conn.fetchval(
            "INSERT INTO notify.attempts (alert_id, provider) VALUES ($1, $2) RETURNING id",
            alert_id,
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


async def tried_providers(conn: Db, alert_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT provider FROM notify.attempts WHERE alert_id = $1", alert_id
    )
    return [r["provider"] for r in rows]
