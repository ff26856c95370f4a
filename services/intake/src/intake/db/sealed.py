"""SQL for the encrypted columns, for key rotation."""

from __future__ import annotations

import asyncpg
from qorgau_common.db import Connection

from intake.domain.crypto import Sealed

# Each table's sealed column and associated data, as the sealing code binds it: the incident
# id's bytes, `platform:message_id` for a message, `quarantine:<id>` for a quarantined update.
_SEALED = {
    "incidents": ("personal", "uuid_send(id)"),
    "source_messages": ("personal", "convert_to(platform || ':' || message_id, 'UTF8')"),
    "webhook_quarantine": ("body", "convert_to('quarantine:' || id::text, 'UTF8')"),
}
TABLES = tuple(_SEALED)


async def sealed_not_under(
    conn: Connection, table: str, key_id: str, limit: int
) -> list[asyncpg.Record]:
    column, aad = _SEALED[table]
    return await conn.fetch(
        f"SELECT ctid, key_id, {column} AS sealed, {aad} AS aad FROM intake.{table}"
        " WHERE key_id <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED",
        key_id,
        limit,
    )


async def reseal(conn: Connection, table: str, ctid: object, sealed: Sealed) -> None:
    column, _ = _SEALED[table]
    await conn.execute(
        f"UPDATE intake.{table} SET {column} = $2, key_id = $3 WHERE ctid = $1",
        ctid,
        sealed.ciphertext,
        sealed.key_id,
    )
