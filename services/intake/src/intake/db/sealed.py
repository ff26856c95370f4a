"""SQL for the encrypted columns, for key rotation."""

from __future__ import annotations

import asyncpg
from qorgau_common.db import Connection

from intake.domain.crypto import Sealed

# Each table's associated data, as the sealing code binds it: the incident id's bytes,
# or `platform:message_id` for a message.
_AAD = {
    "incidents": "uuid_send(id)",
    "source_messages": "convert_to(platform || ':' || message_id, 'UTF8')",
}
TABLES = tuple(_AAD)


async def sealed_not_under(
    conn: Connection, table: str, key_id: str, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT ctid, key_id, personal, {_AAD[table]} AS aad FROM intake.{table}"
        " WHERE key_id <> $1 LIMIT $2 FOR UPDATE SKIP LOCKED",
        key_id,
        limit,
    )


async def reseal(conn: Connection, table: str, ctid: object, sealed: Sealed) -> None:
    await conn.execute(
        f"UPDATE intake.{table} SET personal = $2, key_id = $3 WHERE ctid = $1",
        ctid,
        sealed.ciphertext,
        sealed.key_id,
    )
