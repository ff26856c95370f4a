"""Receipts that came before their submit was recorded, kept until it is."""

from __future__ import annotations

from collections.abc import Sequence

from qorgau_common.db import Connection

from notify.domain.alert import Alert
from notify.domain.receipt import Receipt

from .alerts import ALERT_COLUMNS, Db, alert_from_row, sent_with_message_id

KEEP_FOR = "1 day"  # a receipt still unmatched after this matches nothing we sent


async def park(conn: Connection, receipts: Sequence[tuple[str, Receipt]]) -> None:
    """Keep (provider, receipt) pairs that matched no sent alert yet, in one statement."""
    await conn.execute(
        "INSERT INTO notify.early_receipts (provider, message_id, state)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING",
        [provider for provider, _ in receipts],
        [receipt.message_id for _, receipt in receipts],
        [receipt.state for _, receipt in receipts],
    )


async def purge(conn: Db) -> None:
    await conn.execute(
        f"DELETE FROM notify.early_receipts WHERE received_at < now() - interval '{KEEP_FOR}'"
    )


_ALERT = ", ".join(f"a.{column.strip()}" for column in ALERT_COLUMNS.split(","))


async def take_stranded(conn: Connection) -> list[tuple[Alert, Receipt]]:
    """Parked receipts whose alert is recorded as sent after all, taken (oldest first), each
    with its alert: a receipt parked while its submit's record was committing, after that
    record had looked for the early receipts of its ids."""
    rows = await conn.fetch(
        f"WITH taken AS (DELETE FROM notify.early_receipts AS e USING notify.alerts AS a"
        f" WHERE {sent_with_message_id('e.provider', 'e.message_id', alias='a')}"
        f" RETURNING {_ALERT}, e.message_id AS receipt_id, e.state AS receipt_state,"
        " e.received_at AS receipt_at)"
        " SELECT * FROM taken ORDER BY receipt_at"
    )
    taken = []
    for row in rows:
        values = dict(row)
        receipt = Receipt(values.pop("receipt_id"), values.pop("receipt_state"))
        values.pop("receipt_at")
        taken.append((alert_from_row(values), receipt))
    return taken
