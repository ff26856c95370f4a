"""SQL for recording a submit: its attempt finished, its alert submitted and the receipts
that came before it taken, in one statement (one round trip per submit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from qorgau_common.db import Connection

from notify.domain.alert import Alert
from notify.domain.receipt import Receipt

from .alerts import ALERT_COLUMNS, alert_from_row


@dataclass(frozen=True)
class Recorded:
    alert: Alert  # now submitted
    early: list[Receipt]  # receipts parked before its message ids were known, now taken


async def record_submit(
    conn: Connection,
    alert_id: uuid.UUID,
    claim_token: uuid.UUID | None,
    attempt_id: int,
    provider: str,
    message_ids: tuple[str, ...],
    segments: int,
) -> Recorded | None:
    """The attempt `attempt_id` submitted as `message_ids`; its alert sending → submitted if
    the claim `claim_token` still holds, with the early receipts of those ids taken. None if
    the claim does not hold (this record was committed already, or the sweep failed the
    alert in doubt): the attempt is still recorded, and no receipt is taken."""
    row = await conn.fetchrow(
        f"""
        WITH finished AS (
            UPDATE notify.attempts SET status = 'submitted', message_ids = $3, reason = NULL,
                finished_at = now()
            WHERE id = $6
        ), submitted AS (
            UPDATE notify.alerts SET status = 'submitted', provider = $2,
                provider_message_ids = $3, segments = $4, submitted_at = now(),
                updated_at = now(), reason = NULL, receipt_checked_at = NULL, intent_at = NULL
            WHERE id = $1 AND status = 'sending' AND claim_token IS NOT DISTINCT FROM $5
            RETURNING {ALERT_COLUMNS}
        ), early AS (
            DELETE FROM notify.early_receipts
            WHERE provider = $2 AND message_id = ANY($3) AND EXISTS (SELECT 1 FROM submitted)
            RETURNING message_id, state
        )
        SELECT s.*,
            (SELECT coalesce(array_agg(message_id), '{{}}') FROM early) AS early_ids,
            (SELECT coalesce(array_agg(state), '{{}}') FROM early) AS early_states
        FROM submitted s
        """,
        alert_id,
        provider,
        list(message_ids),
        segments,
        claim_token,
        attempt_id,
    )
    if row is None:
        return None
    values = dict(row)
    ids, states = values.pop("early_ids"), values.pop("early_states")
    early = [Receipt(m, state) for m, state in zip(ids, states, strict=True)]
    return Recorded(alert_from_row(values), early)
