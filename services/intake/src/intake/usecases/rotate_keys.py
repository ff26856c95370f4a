"""Key rotation: re-encrypt every sealed record under the active key.

Each record names the key that sealed it, so old records stay readable during the
rotation and the old key can be retired once `rotate` reports nothing left.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from intake.db import sealed as store
from intake.domain.crypto import FieldCipher, Sealed

_BATCH = 500


@dataclass(frozen=True)
class Rotated:
    incidents: int
    messages: int
    quarantined: int


async def rotate(pool: asyncpg.Pool, cipher: FieldCipher) -> Rotated:
    counts = {}
    for table in store.TABLES:
        total = 0
        while True:
            async with pool.acquire() as conn, conn.transaction():
                rows = await store.sealed_not_under(conn, table, cipher.active_key_id, _BATCH)
                for row in rows:
                    plaintext = cipher.open(Sealed(row["key_id"], row["sealed"]), row["aad"])
                    fresh = cipher.seal(plaintext, row["aad"])
                    await store.reseal(conn, table, row["ctid"], fresh)
            total += len(rows)
            if len(rows) < _BATCH:
                break
        counts[table] = total
    return Rotated(
        incidents=counts["incidents"],
        messages=counts["source_messages"],
        quarantined=counts["webhook_quarantine"],
    )
