"""Send attempts: the intent committed before a submit, its outcome after it."""

from __future__ import annotations

import uuid

from qorgau_common.db import Connection

from .alerts import Db


async def start_attempt(
    conn: Connection, alert_id: uuid.UUID, claim_token: uuid.UUID | None, provider: str
) -> int | None:
    """The intent to send, committed before the submit (one statement); None if the claim
    was lost. A retry of this write whose first try committed unseen (the database went away
    before answering) takes up that attempt rather than leaving it open forever."""
    attempt_id: int | None = await conn.fetchval(
        """
        WITH held AS (
            UPDATE notify.alerts SET intent_at = now()
            WHERE id = $1 AND status = 'sending' AND claim_token = $2
            RETURNING id
        ), open_attempt AS (
            SELECT a.id FROM notify.attempts a
            WHERE a.alert_id = $1 AND a.provider = $3 AND a.status = 'submitting'
              AND EXISTS (SELECT 1 FROM held)
            ORDER BY a.id DESC LIMIT 1
        ), started AS (
            INSERT INTO notify.attempts (alert_id, provider)
            SELECT id, $3 FROM held WHERE NOT EXISTS (SELECT 1 FROM open_attempt)
            RETURNING id
        )
        SELECT id FROM open_attempt UNION ALL SELECT id FROM started
        """,
        alert_id,
        claim_token,
        provider,
    )
    return attempt_id


async def reject_attempt(conn: Connection, attempt_id: int, reason: str) -> None:
    """The submit was refused: nothing went out, so the claim no longer holds an open intent
    (one statement: the attempt and its alert together)."""
    await conn.execute(
        "WITH rejected AS ("
        " UPDATE notify.attempts SET status = 'rejected', reason = $2, finished_at = now()"
        " WHERE id = $1 RETURNING alert_id)"
        " UPDATE notify.alerts SET intent_at = NULL WHERE id = (SELECT alert_id FROM rejected)",
        attempt_id,
        reason,
    )


async def tried_providers(conn: Db, alert_id: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "SELECT DISTINCT provider FROM notify.attempts WHERE alert_id = $1", alert_id
    )
    return [r["provider"] for r in rows]
