"""Receipts that came before their submit was recorded, kept until it is."""

from __future__ import annotations

from qorgau_common.db import Connection

from notify.domain.receipt import Receipt

from .alerts import Db

KEEP_FOR = "1 day"  # a receipt still unmatched after this matches nothing we sent


async def park(conn: Connection, provider: str, receipt: Receipt) -> None:
    await conn.execute(
        "INSERT INTO notify.early_receipts (provider, message_id, state) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        provider,
        receipt.message_id,
        receipt.state,
    )


async def purge(conn: Db) -> None:
    await conn.execute(
        f"DELETE FROM notify.early_receipts WHERE received_at < now() - interval '{KEEP_FOR}'"
    )
